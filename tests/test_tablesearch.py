"""Searching and paging a packed table version (flowgraph/tablesearch.py): every key or value
column, case, numbers written another way, matches across a cell boundary refused, paging, and
the cap that keeps a broad search bounded yet exact in order."""

from __future__ import annotations

from flowgraph.runtime.tables import PackedRows
from flowgraph.tablesearch import matching, page


def table(n: int) -> PackedRows:
    """n rows: key 91000000{i:02}, name 'Customer i', city Pune for even rows else Delhi."""
    rows = {f"{9_100_000_000 + i}": [f"Customer {i}", "Pune" if i % 2 == 0 else "Delhi"] for i in range(n)}
    return PackedRows.build(("name", "city"), rows)


def test_no_query_pages_every_row_in_key_order() -> None:
    rows = table(30)
    first = page(rows, "", 0, 10)
    assert (first.total, first.more, len(first.rows)) == (30, False, 10)
    assert first.rows[0] == ["9100000000", "Customer 0", "Pune"]
    last = page(rows, "  ", 25, 10)
    assert [r[1] for r in last.rows] == [f"Customer {i}" for i in range(25, 30)]
    assert page(rows, "", 40, 10).rows == []


def test_a_query_matches_keys_and_every_value_column_in_any_case() -> None:
    rows = table(30)
    assert [r[0] for r in page(rows, "9100000017").rows] == ["9100000017"]
    assert [r[1] for r in page(rows, "customer 2").rows] == [
        "Customer 2",
        *(f"Customer {i}" for i in range(20, 30)),
    ]
    delhi = page(rows, "DELHI", 0, 100)
    assert delhi.total == 15 and all(r[2] == "Delhi" for r in delhi.rows)
    assert page(rows, "Mumbai").total == 0


def test_a_number_written_another_way_finds_its_key() -> None:
    rows = table(30)
    assert [r[0] for r in page(rows, "+91 91000 00012").rows] == ["9100000012"]
    assert [r[0] for r in page(rows, "091000-00012").rows] == ["9100000012"]


def test_a_match_across_two_cells_is_not_a_match() -> None:
    rows = PackedRows.build(("v",), {"ab": ["x"], "cd": ["y"]})
    assert page(rows, "bc").total == 0  # keys are stored "abcd"
    assert page(rows, "xy").total == 0  # values "xy"
    assert page(rows, "b").rows == [["ab", "x"]]


def test_a_row_matching_in_several_columns_appears_once() -> None:
    rows = PackedRows.build(("a", "b"), {"k1": ["same", "same"], "k2": ["other", "same"]})
    assert [r[0] for r in page(rows, "same").rows] == ["k1", "k2"]


def test_the_cap_stops_early_and_keeps_only_rows_every_column_was_searched_to() -> None:
    rows = table(100)
    # "u" is in every name ("Customer i") and every even city ("Pune"): with cap 5 the name column
    # stops after row 4, so the city column's hits at rows 6 and 8 are left out (rows past 4 were
    # not searched in every column) and the answer says more rows match.
    found, more = matching(rows, "u", cap=5)
    assert more and found == [0, 1, 2, 3, 4]
    full, more = matching(rows, "u", cap=1000)
    assert not more and full == list(range(100))
    capped = page(rows, "e", 0, 50, cap=7)
    assert capped.more and capped.total == len(capped.rows) and capped.rows[0][0] == "9100000000"


def test_a_million_rows_search_is_exact() -> None:
    n = 1_000_000
    keys = [f"{9_000_000_000 + i}" for i in range(n)]
    flat = [f"agent{i % 1000:04d}" for i in range(n)]
    rows = PackedRows.pack(("agent",), keys, flat)
    one = page(rows, "9000765432")
    assert one.rows == [["9000765432", "agent0432"]] and one.total == 1
    broad = page(rows, "agent0007", 0, 3)
    assert broad.total == 1000 and [r[0] for r in broad.rows] == ["9000000007", "9000001007", "9000002007"]


def test_a_match_across_two_scan_windows_is_found(monkeypatch) -> None:
    """The scan goes SCAN_BYTES at a time: a needle that straddles two windows is still found."""
    from flowgraph import tablesearch

    monkeypatch.setattr(tablesearch, "SCAN_BYTES", 8)
    hay = b"aaaaaaaXYZbbbbbbbbbbbbbbXYZ"
    for start in range(len(hay)):
        for end in range(start, len(hay) + 1):
            for needle in (b"XYZ", b"aX", b"Zb", b"q", b"", b"ZbbbbbbbbbbbbbbbX"):
                assert tablesearch._find(hay, needle, start, end) == hay.find(needle, start, end)
    assert tablesearch._lower(b"AbCdEfGhIjKlMnOpQ") == b"abcdefghijklmnopq"
