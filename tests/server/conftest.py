"""Fixtures for server tests: settings on a temporary SQLite file, an authenticated TestClient,
and example flow documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_support import AUTH, TOKEN
from sqlalchemy import Engine

from flowgraph.server.app import create_app
from flowgraph.settings import ServerSettings
from flowgraph.store.db import create_all, make_engine


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


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database file with every table (for store-level tests)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'calls.db'}")
    create_all(eng)
    yield eng
    eng.dispose()
