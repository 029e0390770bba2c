"""Helpers for the browser tests (screenshots as artefacts, signing in)."""

from __future__ import annotations

from pathlib import Path

from services import ServerProcess

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a screenshot of a key state as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def sign_in(page, server: ServerProcess) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.base_url + "/")
    page.get_by_label("Admin token").fill(server.token)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("flow-table").wait_for()


def add_by_keyboard(page, kind: str, new_id: str) -> None:  # type: ignore[no-untyped-def]
    """Add a node with the keyboard (palette button + Enter) and give it an id."""
    from playwright.sync_api import expect

    page.get_by_test_id(f"palette-{kind}").focus()
    page.keyboard.press("Enter")
    id_input = page.get_by_test_id("node-id-input")
    id_input.fill(new_id)
    id_input.press("Enter")
    expect(page.get_by_test_id(f"node-{new_id}")).to_be_visible()
