"""Server settings: one pydantic-settings class, from ``FLOWGRAPH_*`` environment variables and/or a
config file (TOML, JSON or YAML). Precedence, highest first: values passed in code (the CLI's
flags), environment variables, the config file, defaults.

The admin token is resolved here too (:func:`resolve_admin_token`): ``FLOWGRAPH_ADMIN_TOKEN`` when
set, else a token generated once and kept in a mode-0600 file so restarts keep working.
"""

from __future__ import annotations

import difflib
import json
import os
import secrets
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from flowgraph.diagnostics import FlowgraphError
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS

ENV_PREFIX = "FLOWGRAPH_"
#: Environment variable naming the config file when ``config_file`` is not passed in code.
CONFIG_ENV = "FLOWGRAPH_CONFIG_FILE"


class SettingsError(FlowgraphError):
    """The config file or a setting is unusable; the message names the file and key."""


class ServerSettings(BaseSettings):
    """Everything the server reads from its environment (documented in README "Serve")."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", case_sensitive=False)

    database_url: str = Field(
        default="sqlite:///./flowgraph.db",
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql://user:pw@host/db.",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for /api; generated and stored on first start if unset."
    )
    admin_token_file: Path | None = Field(
        default=None,
        description="Where a generated admin token is kept (default: .flowgraph/admin-token next to "
        "the SQLite file, or in the working directory).",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(
        default=None, description="Base URL the platform reaches, used in deployment sheets."
    )
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db for call contexts shared by several processes."
    )
    context_store: Literal["auto", "memory", "database", "redis"] = Field(
        default="auto",
        description="Where call contexts live: 'memory' (this process, written behind to the "
        "database; one process only), 'database' (every request reads the database; several "
        "processes), 'redis' (FLOWGRAPH_REDIS_URL). 'auto': redis if a URL is set, else memory on "
        "SQLite and database on PostgreSQL.",
    )
    context_ttl_s: float = Field(
        default=2 * 60 * 60, ge=0, description="Seconds a call's context lives without a new request."
    )
    answer_deadline_ms: int = Field(
        default=DEFAULT_DEADLINE_MS,
        ge=50,
        le=30_000,
        description="Longest a platform request may take; past it the flow's failover is sent.",
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    access_log: bool = Field(
        default=False,
        description="uvicorn's line per HTTP request (off: the call log already records every platform "
        "request, and the line costs about a tenth of the endpoint's throughput).",
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest platform request body (/dialplan); larger ones get the flow's failover.",
    )
    web_dist: Path | None = Field(
        default=None, description="Built editor to serve at / (default: web/dist of the source tree)."
    )
    max_api_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest management API request body (a flow document, a table import: about "
        "37 MB per million CSV rows of a number and two short columns); larger gets 413.",
    )
    max_flow_nodes: int = Field(
        default=5000, ge=10, description="Most nodes a stored flow may have; more is refused with 422."
    )
    max_answer_bytes: int = Field(
        default=32 * 1024,
        ge=1024,
        description="Largest answer one step may send the platform; a flow that could send more "
        "cannot be published (422).",
    )
    calllog_interval_s: float = Field(
        default=0.2,
        gt=0,
        le=10,
        description="Call-log write-behind: queued records are written at least this often "
        "(what a kill -9 can lose while the database is up).",
    )
    calllog_max_queued: int = Field(
        default=50_000, ge=100, description="Most call-log records held while the database is down."
    )
    calllog_shutdown_s: float = Field(
        default=5.0, ge=0, le=120, description="How long shutdown may take to write the queued call log."
    )
    config_file: Path | None = Field(default=None, description="TOML, JSON or YAML file with these keys.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, ConfigFileSource(settings_cls, init_settings))

    def admin_token_value(self) -> str | None:
        """The configured token's text (never log it)."""
        return self.admin_token.get_secret_value() if self.admin_token else None


class ConfigFileSource(PydanticBaseSettingsSource):
    """Reads the file named by ``config_file`` (passed in code) or ``FLOWGRAPH_CONFIG_FILE``."""

    def __init__(self, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        init_kwargs = getattr(init_settings, "init_kwargs", {}) or {}
        path = init_kwargs.get("config_file") or os.environ.get(CONFIG_ENV)
        self._values = read_config_file(Path(path)) if path else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def new_secret() -> str:
    """A random secret (256 bits) for tokens and platform headers: hex, so that it never starts
    with ``-`` (which a command line would read as an option) and pastes anywhere unquoted."""
    return secrets.token_hex(32)


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse a config file into setting names; keys may be ``port`` or ``FLOWGRAPH_PORT``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix.lower() in {".yaml", ".yml"}:
            data = yaml.safe_load(text) or {}
        else:
            data = json.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise SettingsError(f"{path}: invalid config file: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a table/object of settings at the top")
    known = set(ServerSettings.model_fields) - {"config_file"}
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).lower().removeprefix(ENV_PREFIX.lower())
        if name not in known:
            raise SettingsError(f"{path}: {key}: unknown setting (known: {', '.join(sorted(known))})")
        out[name] = value
    return out


#: Settings renamed since an earlier release: old environment name -> new setting name.
RENAMED = {"max_flow_bytes": "max_api_bytes"}


def environment_problems(environ: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """``FLOWGRAPH_*`` variables that set nothing: (renamed ones to apply, by new setting name;
    one warning line per variable, with the name it was probably meant to be)."""
    environ = os.environ if environ is None else environ
    known = set(ServerSettings.model_fields) | {CONFIG_ENV.removeprefix(ENV_PREFIX).lower()}
    renamed: dict[str, str] = {}
    warnings: list[str] = []
    for key, value in sorted(environ.items()):
        if not key.upper().startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name in known:
            continue
        if name in RENAMED:
            new = RENAMED[name]
            warnings.append(f"{key} is now {ENV_PREFIX}{new.upper()}: using its value (rename it)")
            renamed[new] = value
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean {ENV_PREFIX}{close[0].upper()}?)" if close else ""
        warnings.append(f"{key} is not a flowgraph setting and is ignored{hint}")
    return renamed, warnings


def load_settings(**overrides: Any) -> ServerSettings:
    """Build settings from code overrides (``None`` values are ignored), env and config file.

    An environment variable ``FLOWGRAPH_X`` that names no setting is reported on stderr (a typo
    would otherwise be silently ignored); a renamed one still applies, with a warning.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    renamed, warnings = environment_problems()
    for line in warnings:
        print(f"flowgraph: warning: {line}", file=sys.stderr)
    for name, value in renamed.items():
        if f"{ENV_PREFIX}{name.upper()}" not in {k.upper() for k in os.environ}:
            given.setdefault(name, value)
    try:
        return ServerSettings(**given)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = str(exc).splitlines()
        raise SettingsError(f"invalid settings: {' '.join(first[:3])}") from None


def default_token_file(settings: ServerSettings) -> Path:
    """``.flowgraph/admin-token`` next to a SQLite database file, else under the working directory."""
    if settings.admin_token_file:
        return settings.admin_token_file
    url = settings.database_url
    if url.startswith("sqlite") and ":memory:" not in url and "///" in url:
        db_path = Path(url.split("///", 1)[1].split("?", 1)[0])
        if str(db_path):
            return db_path.parent / ".flowgraph" / "admin-token"
    return Path(".flowgraph") / "admin-token"


def resolve_admin_token(settings: ServerSettings, announce: bool = True) -> str:
    """The admin token: configured, else read from its file, else generated and stored (mode 0600).

    When a token is generated, print once (to stderr, never to the log) where it is and how to use
    it; the token's value itself is not printed.
    """
    configured = settings.admin_token_value()
    if configured:
        return configured
    path = default_token_file(settings)
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    for directory in reversed([p for p in [path.parent, *path.parent.parents] if not p.exists()]):
        directory.mkdir(mode=0o700, exist_ok=True)  # only the directories made here: 0700
    token = new_secret()
    # Mode 0600 from creation: the token is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    os.chmod(path, 0o600)
    if announce:
        print(
            f"flowgraph: generated an admin token in {path} (mode 0600).\n"
            f'  use it as: curl -H "Authorization: Bearer $(cat {path})" '
            f"http://{settings.host}:{settings.port}/api/flows\n"
            "  or set FLOWGRAPH_ADMIN_TOKEN to choose your own.",
            file=sys.stderr,
        )
    return token
