"""Table files: read a CSV or JSON table whole, validate it, pack it; write one back.

The first CSV line names the columns; one of them (the first unless ``key`` names another) is the
key a lookup matches, the others become ``{{<lookup>.<column>}}`` variables. JSON is the same
table as ``{"columns": [...], "rows": [[...], ...]}`` (``"key"`` optional). A file is checked
*as a whole* before anything is stored: ragged rows, empty or repeated keys (keys compare in the
form lookups use, :func:`flowgraph.runtime.lookups.table_key`, so ``+91 98765 43210`` repeats
``9876543210``), and -- where a published flow matches callers' numbers against the table --
keys that are not one national number (:func:`flowgraph.profile.sendable_number`, the one
number rule); a table keyed by a ``date`` column (a holiday calendar) must hold real dates
``YYYY-MM-DD`` and a ``name`` column. Every problem names its line and column (JSON: ``rows[i][j]``); an invalid file
raises :class:`TableFileError` and nothing changes.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from flowgraph.diagnostics import FlowLoadError
from flowgraph.model import is_date
from flowgraph.profile import sendable_number
from flowgraph.runtime.lookups import whole_number_text
from flowgraph.runtime.tables import PackedRows

#: What a column name must look like to be usable as ``{{lookup.column}}`` (model.TEMPLATE_RE).
COLUMN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
#: Problems listed in one error (the count says how many more there are).
MAX_PROBLEMS = 20
#: Rows between two progress callbacks.
PROGRESS_EVERY = 100_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: A key column with this name makes a table a holiday calendar, which needs a name column.
CALENDAR_KEY, CALENDAR_NAME = "date", "name"

Progress = Callable[[int], None]


class TableFileError(FlowLoadError):
    """An invalid table file: ``problems`` are (where, message), e.g. ("line 7, column 1 (number)", ...)."""


@dataclass(frozen=True)
class ParsedTable:
    """A valid table: key column, value columns, packed rows, and the keys that are not numbers."""

    key: str
    columns: tuple[str, ...]
    rows: PackedRows
    #: How many keys the number rule refuses, and the first few as (where, key).
    text_keys: int
    text_key_examples: tuple[tuple[str, str], ...]


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.found: list[tuple[str, str]] = []
        self.count = 0

    def add(self, where: str, message: str) -> None:
        self.count += 1
        if len(self.found) < MAX_PROBLEMS:
            self.found.append((where, message))

    def raise_any(self) -> None:
        if self.found:
            if self.count > len(self.found):
                where, message = self.found[-1]
                self.found[-1] = (where, f"{message} (and {self.count - len(self.found)} more problems)")
            raise TableFileError(self.source, self.found)


def _header(names: list[str], key: str | None, where: Callable[[int], str], problems: _Problems) -> int:
    """Check the column names; the key column's index (-1 when unusable)."""
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if not COLUMN_RE.fullmatch(name):
            problems.add(
                where(j),
                f"column name {name[:80]!r} cannot be used as {{{{lookup.column}}}}: start with a letter "
                "or _, then letters, digits, _ or - (at most 64)",
            )
        elif name in seen:
            problems.add(where(j), f"column '{name}' is named twice (also column {seen[name] + 1})")
        seen.setdefault(name, j)
    if not names:
        problems.add(where(0), "the first line must name the key column and the others")
        return -1
    if key is None:
        return 0
    if key not in seen:
        problems.add(where(0), f"no column '{key}' to use as the key (columns: {', '.join(names)})")
        return -1
    return seen[key]


#: One row as the validator sees it: its label ("line 7", "rows[5]") and its values.
Row = tuple[str, list[str]]
#: Names a cell: ``where(label, j)`` -> "line 7, column 2 (name)".
Where = Callable[[str, int], str]


def validate(
    source: str,
    header: list[str],
    rows: Iterable[Row],
    where: Where,
    key: str | None = None,
    numbers: str | None = None,
    progress: Progress | None = None,
) -> ParsedTable:
    """Check a whole table and pack it, or raise :class:`TableFileError` listing the problems.

    ``numbers``: why keys must be national numbers (a published flow matches callers' numbers
    against this table), or None when any key may be text.
    """
    problems = _Problems(source)
    k = _header(header, key, _header_where, problems)
    calendar = k >= 0 and _calendar_header(header, k, problems)
    width = len(header)
    keys: list[str] = []
    flat: list[str] = []
    first: dict[str, str] = {}
    examples: list[tuple[str, str]] = []
    text_keys = done = 0
    for label, values in rows:
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        if len(values) != width:
            problems.add(label, f"{len(values)} values, the first line names {width} columns")
            continue
        if k < 0:
            continue
        raw = values[k]
        if calendar and not is_date(raw.strip()):
            problems.add(
                where(label, k), f"key {raw[:40]!r} is not a real date YYYY-MM-DD (a calendar's key)"
            )
            continue
        number = sendable_number(raw)
        norm = number or raw.strip()  # flowgraph.runtime.lookups.table_key, without a second call
        if number is None:
            if not norm or _CONTROL.search(norm):
                problems.add(
                    where(label, k),
                    "the key is empty" if not norm else f"the key {raw[:40]!r} holds a control character",
                )
                continue
            text_keys += 1
            if numbers is not None:
                problems.add(where(label, k), f"key {raw[:80]!r} is not one national number, and {numbers}")
            elif len(examples) < 5:
                examples.append((where(label, k), raw[:80]))
        if norm in first:
            same = f" (both are {norm})" if raw.strip() != norm else ""
            problems.add(where(label, k), f"key {raw[:80]!r} repeats {first[norm]}{same}")
            continue
        first[norm] = label
        keys.append(norm)
        del values[k]
        flat.extend(values)
    if progress is not None:
        progress(done)
    problems.raise_any()
    columns = tuple(header[:k] + header[k + 1 :])
    return ParsedTable(header[k], columns, PackedRows.pack(columns, keys, flat), text_keys, tuple(examples))


def _calendar_header(header: list[str], k: int, problems: _Problems) -> bool:
    """A key column named ``date`` makes the table a holiday calendar
    (:mod:`flowgraph.runtime.calendars`): its keys must be real dates and it needs a ``name``
    column. True when the table is one."""
    if header[k] != CALENDAR_KEY:
        return False
    if CALENDAR_NAME not in header:
        problems.add(
            "line 1",
            f"a calendar (key column '{CALENDAR_KEY}') needs a '{CALENDAR_NAME}' column for each "
            f"date's name (columns: {', '.join(header)})",
        )
    return True


def _header_where(j: int) -> str:
    return f"line 1, column {j + 1}"


# --- CSV -------------------------------------------------------------------------------------


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TableFileError(source, [(f"line {line}", "not UTF-8 text (save the file as UTF-8)")]) from None


def _csv_rows(reader: Any, source: str) -> Iterator[Row]:
    line = 1
    try:
        for values in reader:
            line = reader.line_num
            if values:  # not a blank line
                yield f"line {line}", values
    except csv.Error as exc:
        raise TableFileError(source, [(f"line {line + 1}", f"not CSV: {exc}")]) from None


def _column_where(header: list[str]) -> Where:
    def where(label: str, j: int) -> str:
        return f"{label}, column {j + 1} ({header[j] if j < len(header) else '?'})"

    return where


def parse_csv(
    data: bytes,
    source: str,
    key: str | None = None,
    numbers: str | None = None,
    progress: Progress | None = None,
) -> ParsedTable:
    """Read a CSV table (UTF-8, optional BOM, comma separated, first line the column names)."""
    reader = csv.reader(io.StringIO(_text(data, source), newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise TableFileError(source, [("line 1", f"not CSV: {exc}")]) from None
    return validate(source, header, _csv_rows(reader, source), _column_where(header), key, numbers, progress)


# --- JSON ------------------------------------------------------------------------------------


def _cell(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return whole_number_text(value)  # phone numbers written as JSON numbers (9810000001.0 too)
    return None


def _json_rows(rows: list[Any], source: str) -> Iterator[Row]:
    for i, row in enumerate(rows):
        label = f"rows[{i}]"
        if not isinstance(row, list):
            raise TableFileError(source, [(label, "a row must be a list of values in the columns' order")])
        cells = [_cell(v) for v in row]
        for j, cell in enumerate(cells):
            if cell is None:
                raise TableFileError(source, [(f"{label}[{j}]", "a value must be text (or a whole number)")])
        yield label, cells  # type: ignore[misc]


def _json_where(header: list[str]) -> Where:
    def where(label: str, j: int) -> str:
        return f"{label}[{j}] ({header[j] if j < len(header) else '?'})"

    return where


def parse_json(
    data: bytes,
    source: str,
    key: str | None = None,
    numbers: str | None = None,
    progress: Progress | None = None,
) -> ParsedTable:
    """Read ``{"columns": [...], "rows": [[...], ...], "key": optional}``."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise TableFileError(source, [("", f"not JSON: {exc}")]) from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("columns"), list)
        or not isinstance(doc.get("rows"), list)
    ):
        raise TableFileError(source, [("", 'expected {"columns": [names], "rows": [[values], ...]}')])
    header = [str(c).strip() for c in doc["columns"]]
    chosen = key if key is not None else doc.get("key")
    return validate(
        source, header, _json_rows(doc["rows"], source), _json_where(header), chosen, numbers, progress
    )


def parse_table(
    data: bytes,
    fmt: str,
    source: str,
    key: str | None = None,
    numbers: str | None = None,
    progress: Progress | None = None,
) -> ParsedTable:
    """Read a table file in ``fmt`` (``csv`` or ``json``).

    The cyclic collector is paused meanwhile: the rows are a million short-lived lists, and its
    passes over them took a third of the time of a 1,000,000-row import (bench/table_bench.py).
    """
    parse = parse_json if fmt == "json" else parse_csv
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return parse(data, source, key, numbers, progress)
    finally:
        if was_enabled:
            gc.enable()


# --- writing ---------------------------------------------------------------------------------


def to_csv(key: str, rows: PackedRows) -> bytes:
    """The table as CSV: header (key column first), one line per row in key order."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key, *rows.columns])
    for k, values in rows:
        writer.writerow([k, *values])
    return out.getvalue().encode()


def to_json(key: str, rows: PackedRows, extra: dict[str, Any] | None = None) -> bytes:
    """The table as JSON (``parse_json`` reads it back): ``{..extra, key, columns, rows}``."""
    doc = {**(extra or {}), "key": key, "columns": [key, *rows.columns], "rows": [[k, *v] for k, v in rows]}
    return orjson.dumps(doc)


# --- imports (what the server's worker process and the CLI run) -----------------------------


def numbers_reason(published: list[dict[str, Any]], name: str) -> str | None:
    """Why keys of table ``name`` must be numbers: the published flows (documents) that match
    callers' numbers against it (:func:`flowgraph.checks.server_tables.number_uses`), or None."""
    from flowgraph.checks.server_tables import number_uses
    from flowgraph.load import flow_from_data

    users = []
    for doc in published:
        flow = flow_from_data(doc, source=f"published flow {doc.get('id')!r}")
        nodes = number_uses(flow).get(name)
        if nodes:
            users.append(f"flow '{flow.id}' (node {', '.join(nodes)})")
    if not users:
        return None
    verb = "matches" if len(users) == 1 else "match"
    return f"published {', '.join(users)} {verb} callers' numbers against this table"


def import_job(
    data: bytes, fmt: str, name: str, key: str | None, published: list[dict[str, Any]]
) -> tuple[str, tuple[str, ...], bytes, int, tuple[tuple[str, str], ...]]:
    """Validate and pack a file for table ``name`` against the ``published`` flow documents.

    Module level, plain data in and out: the server runs it in its worker process (packing a
    million rows in the server process would stall live answers); :func:`parsed_from_job`
    turns the result back into a :class:`ParsedTable`.
    """
    table = parse_table(data, fmt, source_for(name), key, numbers_reason(published, name))
    return table.key, table.columns, table.rows.to_bytes(), table.text_keys, table.text_key_examples


def parsed_from_job(
    result: tuple[str, tuple[str, ...], bytes, int, tuple[tuple[str, str], ...]],
) -> ParsedTable:
    """The :class:`ParsedTable` an :func:`import_job` result describes."""
    key, columns, packed, text_keys, examples = result
    pairs = tuple((str(where), str(k)) for where, k in examples)
    return ParsedTable(key, tuple(columns), PackedRows.from_bytes(packed), text_keys, pairs)


def source_for(name: str) -> str:
    """How problems name the file: ``table 'customers'``."""
    return f"table '{name}'"


def export_job(name: str, number: int, key: str, packed: bytes, as_json: bool) -> bytes:
    """A stored version as CSV or JSON (module level: the server runs it in its worker)."""
    rows = PackedRows.from_bytes(packed)
    if as_json:
        return to_json(key, rows, {"name": name, "version": number})
    return to_csv(key, rows)
