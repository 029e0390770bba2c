"""``flowgraph table import|export|list``: server tables from the command line.

Talks to a running server (``--url``, default ``FLOWGRAPH_URL``, with ``--token`` or
``FLOWGRAPH_ADMIN_TOKEN``) or straight to its database (``--db URL``, the URL ``flowgraph serve
--db`` uses; running servers see the new version within their next poll, half a second).

- ``import NAME FILE|-``: the whole file (CSV, or JSON for ``.json`` / ``--format json``) becomes
  the next version of ``NAME``, live at once; ``--key COL`` names the key column (default: the
  first). An invalid file changes nothing: every problem is printed with its line and column.
- ``export NAME [--format csv|json] [-o FILE]``: the live version.
- ``list``: name, version, rows, columns, when imported.

Progress goes to stderr (on a terminal, or with ``--progress``). Exit codes: 0 done; 1 the file
is invalid; 2 usage, connection or server problems.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from flowgraph.diagnostics import FlowgraphError, FlowLoadError
from flowgraph.store.db import create_all, make_engine
from flowgraph.store.tables import TableRecord, TableStore
from flowgraph.tablefile import export_job

CHUNK = 256 * 1024


class TableCommandError(FlowgraphError):
    """The command could not talk to the server or the database."""


def register(sub: Any) -> None:
    """Add the ``table`` subcommand and its actions."""
    p: argparse.ArgumentParser = sub.add_parser(
        "table", help="import, export and list server tables", description=__doc__.split("\n\n")[1]
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="import a CSV or JSON file as the next version of a table")
    imp.add_argument("name", metavar="NAME")
    imp.add_argument("file", metavar="FILE", help="the file, or - for standard input")
    imp.add_argument("--key", help="the key column (default: the first column)")
    imp.add_argument("--format", choices=["csv", "json"], help="default: json for .json files, else csv")
    imp.add_argument("--progress", action="store_true", help="print progress even when not on a terminal")
    imp.add_argument(
        "--allow-empty",
        action="store_true",
        help="store a file without rows even while a published flow reads the table",
    )
    exp = actions.add_parser("export", help="print a table's live version")
    exp.add_argument("name", metavar="NAME")
    exp.add_argument("--format", choices=["csv", "json"], default="csv")
    exp.add_argument("-o", "--output", help="write to this file instead of standard output")
    lst = actions.add_parser("list", help="list the server's tables")
    lst.add_argument("--json", action="store_true", help="print JSON")
    for action in (imp, exp, lst):
        where = action.add_mutually_exclusive_group()
        where.add_argument("--url", help="server base URL (default: FLOWGRAPH_URL)")
        where.add_argument("--db", help="the server's database URL instead (e.g. sqlite:///flowgraph.db)")
        action.add_argument("--token", help="admin token (default: FLOWGRAPH_ADMIN_TOKEN)")
        action.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target = _target(args)
    if args.action == "import":
        return _import(args, target)
    if args.action == "export":
        return _export(args, target)
    return _list(args, target)


# --- where: a server over HTTP, or its database ------------------------------------------------


class _Server:
    def __init__(self, url: str, token: str):
        self.url, self.headers = url.rstrip("/"), {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        url = f"{self.url}/api/tables{path}"
        try:
            resp = httpx.request(
                method, url, headers={**self.headers, **kw.pop("headers", {})}, timeout=300, **kw
            )
        except httpx.HTTPError as exc:
            raise TableCommandError(f"{url}: {exc}") from None
        if resp.status_code in (200, 201) or resp.status_code == 422:
            return resp
        try:
            detail = resp.json().get("detail", resp.text)
        except ValueError:
            detail = resp.text
        raise TableCommandError(f"{url}: HTTP {resp.status_code}: {str(detail)[:300]}")


def _target(args: argparse.Namespace) -> _Server | TableStore:
    if args.db:
        engine = make_engine(args.db)
        create_all(engine)  # a database no server has started on yet gets the schema
        return TableStore(engine)
    url = args.url or os.environ.get("FLOWGRAPH_URL")
    if not url:
        raise TableCommandError(
            "give --url (or FLOWGRAPH_URL) for a running server, or --db for its database"
        )
    token = args.token or os.environ.get("FLOWGRAPH_ADMIN_TOKEN")
    if not token:
        raise TableCommandError("give --token (or FLOWGRAPH_ADMIN_TOKEN) to talk to the server")
    return _Server(url, token)


# --- import ------------------------------------------------------------------------------------


def _progress(args: argparse.Namespace) -> Callable[[str], None] | None:
    if not (args.progress or sys.stderr.isatty()):
        return None
    tty = sys.stderr.isatty()

    def show(text: str) -> None:
        print(
            ("\r" if tty else "") + f"flowgraph: {args.name}: {text}",
            end="" if tty else "\n",
            file=sys.stderr,
        )

    return show


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TableCommandError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _chunks(data: bytes, show: Callable[[str], None] | None) -> Iterator[bytes]:
    last = 0.0
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]
        now = time.monotonic()
        if show is not None and (now - last > 0.5 or start + CHUNK >= len(data)):
            last = now
            done = min(start + CHUNK, len(data))
            show(f"sent {done / 1e6:.1f} of {len(data) / 1e6:.1f} MB")
    if show is not None:
        show("validating and storing on the server")


def _import(args: argparse.Namespace, target: _Server | TableStore) -> int:
    data = _read(args.file)
    fmt = args.format or ("json" if args.file.lower().endswith(".json") else "csv")
    show = _progress(args)
    if isinstance(target, TableStore):
        rows_read = (lambda n: show(f"read {n:,} rows")) if show is not None else None
        try:
            record, created = target.import_file(
                args.name, data, fmt, args.key, progress=rows_read, allow_empty=args.allow_empty
            )
        except FlowLoadError as exc:
            return _problems(exc.problems, str(exc))
        finally:
            target.engine.dispose()
        return _done(record.name, record.number, record.rows, created, show)
    headers = {"Content-Type": "application/json" if fmt == "json" else "text/csv"}
    params = {"key": args.key} if args.key else {}
    if args.allow_empty:
        params["allow_empty"] = "true"
    resp = target.request("PUT", f"/{args.name}", content=_chunks(data, show), headers=headers, params=params)
    body = resp.json()
    if resp.status_code == 422:
        return _problems([(p["path"], p["message"]) for p in body.get("problems") or []], body["detail"])
    table = body["table"]
    return _done(table["name"], table["version"], table["rows"], body["created"], show)


def _problems(problems: list[tuple[str, str]], summary: str) -> int:
    print(f"flowgraph: {summary.split(':')[0]}: invalid, nothing changed", file=sys.stderr)
    for where, message in problems:
        print(f"  {where}: {message}" if where else f"  {message}", file=sys.stderr)
    return 1


def _done(name: str, version: int, rows: int, created: bool, show: Callable[[str], None] | None) -> int:
    if show is not None and sys.stderr.isatty():
        print(file=sys.stderr)
    state = "live now" if created else "unchanged: the file equals the live version"
    print(f"table '{name}': version {version}, {rows:,} rows ({state})")
    return 0


# --- export and list ---------------------------------------------------------------------------


def _export(args: argparse.Namespace, target: _Server | TableStore) -> int:
    as_json = args.format == "json"
    if isinstance(target, TableStore):
        try:
            record = target.live(args.name)
            body = export_job(
                record.name, record.number, record.key, target.data(args.name, record.number), as_json
            )
        finally:
            target.engine.dispose()
    else:
        body = target.request("GET", f"/{args.name}", params={"format": args.format}).content
    if args.output:
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def _summary(r: TableRecord) -> dict[str, Any]:
    return {
        "name": r.name,
        "version": r.number,
        "key": r.key,
        "columns": [r.key, *r.columns],
        "rows": r.rows,
        "updated": r.created_at.isoformat(),
    }


def _list(args: argparse.Namespace, target: _Server | TableStore) -> int:
    if isinstance(target, TableStore):
        try:
            tables = [_summary(r) for r in target.list()]
        finally:
            target.engine.dispose()
    else:
        tables = target.request("GET", "").json()
    if args.json:
        print(json.dumps(tables, indent=2))
        return 0
    for t in tables:
        print(
            f"{t['name']:<24} v{t['version']:<5} {t['rows']:>10,} rows  {','.join(t['columns'])}  {t['updated']}"
        )
    return 0
