"""Fixtures for server tests: settings on a temporary SQLite file, an authenticated TestClient,
and example flow documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_support import AUTH, TOKEN

from flowgraph.server.app import create_app
from flowgraph.settings import ServerSettings


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    return ServerSettings(
        database_url=f"sqlite:///{tmp_path / 'flowgraph.db'}",
        admin_token=TOKEN,
        web_dist=tmp_path / "no-editor",
    )


@pytest.fixture
def client(settings: ServerSettings) -> Iterator[TestClient]:
    """A TestClient (lifespan run) sending the admin token."""
    with TestClient(create_app(settings), headers=AUTH) as c:
        yield c


@pytest.fixture
def anon(client: TestClient) -> TestClient:
    """The same (started) app, without the admin token."""
    return TestClient(client.app)
