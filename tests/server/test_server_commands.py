"""``flowgraph openapi`` and ``flowgraph serve``'s error handling (the serving itself is in test_live)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowgraph.cli import main


def test_openapi_prints_the_management_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["openapi"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["info"]["title"] == "flowgraph"
    for path in (
        "/api/flows",
        "/api/flows/{flow_id}",
        "/api/flows/{flow_id}/check",
        "/api/flows/{flow_id}/compile",
        "/api/flows/{flow_id}/simulate",
        "/api/flows/{flow_id}/deployment",
        "/api/flows/{flow_id}/publish",
        "/api/flows/{flow_id}/versions",
        "/api/flows/{flow_id}/calls",
        "/api/flows/{flow_id}/stats",
        "/healthz",
    ):
        assert path in schema["paths"], path
    assert "Flow" in schema["components"]["schemas"]
    put = schema["paths"]["/api/flows/{flow_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Flow"
    assert {"409", "422", "428"} <= set(put["responses"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_openapi_output_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    main(["openapi"])
    first = capsys.readouterr().out
    main(["openapi"])
    assert capsys.readouterr().out == first


def test_openapi_touches_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["openapi"]) == 0
    assert list(tmp_path.iterdir()) == []


def test_serve_reports_a_bad_config_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "fg.toml"
    config.write_text("prot = 1\n")
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("flowgraph: ") and "fg.toml: prot: unknown setting" in err
    assert len(err.strip().splitlines()) == 1


def test_serve_rejects_an_unsupported_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", "mysql://localhost/x"]) == 2
    assert "unsupported database 'mysql'" in capsys.readouterr().err
