"""Server settings: environment, config file, precedence, and the admin token file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from flowgraph.settings import (
    ServerSettings,
    SettingsError,
    default_token_file,
    load_settings,
    resolve_admin_token,
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "HOST", "DATABASE_URL", "ADMIN_TOKEN", "LOG_LEVEL", "CONFIG_FILE", "PUBLIC_URL"):
        monkeypatch.delenv(f"FLOWGRAPH_{name}", raising=False)


def test_defaults() -> None:
    s = load_settings()
    assert (s.database_url, s.host, s.port, s.log_level, s.max_body_bytes) == (
        "sqlite:///./flowgraph.db",
        "127.0.0.1",
        8000,
        "info",
        65536,
    )
    assert s.admin_token is None and s.redis_url is None and s.public_url is None


def test_environment_then_code_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWGRAPH_PORT", "9001")
    monkeypatch.setenv("FLOWGRAPH_PUBLIC_URL", "https://calls.example.com")
    monkeypatch.setenv("FLOWGRAPH_ADMIN_TOKEN", "from-env")
    s = load_settings(port=9002, host=None)
    assert (s.port, s.host, s.public_url) == (9002, "127.0.0.1", "https://calls.example.com")
    assert s.admin_token_value() == "from-env"
    assert "from-env" not in repr(s)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("fg.toml", 'port = 9100\nFLOWGRAPH_LOG_LEVEL = "debug"\nredis_url = "redis://127.0.0.1:1/0"\n'),
        ("fg.yaml", "port: 9100\nFLOWGRAPH_LOG_LEVEL: debug\nredis_url: redis://127.0.0.1:1/0\n"),
        ("fg.json", '{"port": 9100, "FLOWGRAPH_LOG_LEVEL": "debug", "redis_url": "redis://127.0.0.1:1/0"}'),
    ],
)
def test_config_file_formats(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    s = load_settings(config_file=path)
    assert (s.port, s.log_level, s.redis_url) == (9100, "debug", "redis://127.0.0.1:1/0")


def test_environment_beats_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fg.toml"
    path.write_text("port = 9100\nhost = '0.0.0.0'\n")
    monkeypatch.setenv("FLOWGRAPH_CONFIG_FILE", str(path))
    monkeypatch.setenv("FLOWGRAPH_PORT", "9200")
    s = load_settings()
    assert (s.port, s.host) == (9200, "0.0.0.0")


def test_config_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "fg.toml"
    path.write_text("prot = 9100\n")
    with pytest.raises(SettingsError, match=r"fg\.toml: prot: unknown setting"):
        load_settings(config_file=path)
    path.write_text("port = [\n")
    with pytest.raises(SettingsError, match=r"fg\.toml: invalid config file"):
        load_settings(config_file=path)
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(config_file=tmp_path / "missing.toml")
    with pytest.raises(SettingsError, match="port"):
        load_settings(port=0)


def test_generated_token_is_stored_0600_and_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ServerSettings(database_url=f"sqlite:///{tmp_path / 'data' / 'fg.db'}")
    path = default_token_file(s)
    assert path == tmp_path / "data" / ".flowgraph" / "admin-token"
    token = resolve_admin_token(s)
    assert len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == token
    printed = capsys.readouterr().err
    assert str(path) in printed and "Authorization: Bearer" in printed
    assert token not in printed
    assert resolve_admin_token(s) == token
    assert capsys.readouterr().err == ""  # printed once, on generation only


def test_configured_token_wins_and_writes_nothing(tmp_path: Path) -> None:
    s = ServerSettings(database_url=f"sqlite:///{tmp_path / 'fg.db'}", admin_token="mine")
    assert resolve_admin_token(s) == "mine"
    assert not default_token_file(s).exists()


def test_unknown_environment_variables_are_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLOWGRAPH_PROT", "9000")
    load_settings()
    err = capsys.readouterr().err
    assert "FLOWGRAPH_PROT is not a flowgraph setting and is ignored (did you mean FLOWGRAPH_PORT?)" in err


def test_a_renamed_environment_variable_still_applies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FLOWGRAPH_MAX_FLOW_BYTES", str(8 * 1024 * 1024))
    assert load_settings().max_api_bytes == 8 * 1024 * 1024
    assert "FLOWGRAPH_MAX_FLOW_BYTES is now FLOWGRAPH_MAX_API_BYTES" in capsys.readouterr().err
    monkeypatch.setenv("FLOWGRAPH_MAX_API_BYTES", str(9 * 1024 * 1024))  # the new name wins
    assert load_settings().max_api_bytes == 9 * 1024 * 1024
