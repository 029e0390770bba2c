"""Browser end-to-end fixtures: a real ``flowgraph serve`` (uvicorn, temp SQLite, seeded examples)
serving the built editor, and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from services import CHROMIUM, CHROMIUM_ARGS, ServerProcess, flowgraph_server
from web_support import ARTIFACTS

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist" / "index.html"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The server with the built editor at ``/`` and the examples stored and published."""
    if not DIST.exists():
        pytest.fail("web/dist is missing: build the editor first (`make web`, which `make test` runs)")
    db = tmp_path_factory.mktemp("web-e2e") / "flowgraph.db"
    with flowgraph_server(f"sqlite:///{db}", args=("--seed-examples", str(ROOT / "examples"))) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: ServerProcess, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A fresh tab; JavaScript errors fail the test; a screenshot is kept on the way out."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-end.png"))
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
