"""Table files: validated whole with located problems, packed, and written back the same."""

from __future__ import annotations

import pytest

from flowgraph.tablefile import TableFileError, parse_csv, parse_json, to_csv, to_json


def problems(data: bytes, **kw: object) -> list[tuple[str, str]]:
    with pytest.raises(TableFileError) as caught:
        parse_csv(data, "t.csv", **kw)  # type: ignore[arg-type]
    return caught.value.problems


def test_keys_compare_as_lookups_do_and_rows_come_back_in_key_order() -> None:
    table = parse_csv(b"number,name\n+91 98123 45678,B\n9876543210,A\nVIP,C\n", "t.csv")
    assert (table.key, table.columns, len(table.rows)) == ("number", ("name",), 3)
    assert table.rows.find("+919876543210") == {"name": "A"}
    assert table.rows.find("09812345678") == {"name": "B"}
    assert (table.text_keys, table.text_key_examples) == (1, (("line 4, column 1 (number)", "VIP"),))
    assert to_csv(table.key, table.rows) == b"number,name\n9812345678,B\n9876543210,A\nVIP,C\n"
    again = parse_json(to_json(table.key, table.rows), "t.json")
    assert to_csv(again.key, again.rows) == to_csv(table.key, table.rows)


def test_another_key_column() -> None:
    table = parse_csv(b"name,number\nA,9876543210\n", "t.csv", key="number")
    assert table.rows.find("9876543210") == {"name": "A"}
    assert problems(b"name,number\nA,1\n", key="phone") == [
        ("line 1, column 1", "no column 'phone' to use as the key (columns: name, number)")
    ]


def test_every_problem_is_located() -> None:
    found = problems(
        b"number,name,name\n9876543210,a\n,b,c\n9876543210,x,y\n09876543210,x,y\n",
        numbers="a flow matches numbers",
    )
    assert found == [
        ("line 1, column 3", "column 'name' is named twice (also column 2)"),
        ("line 2", "2 values, the first line names 3 columns"),
        ("line 3, column 1 (number)", "the key is empty"),
        ("line 5, column 1 (number)", "key '09876543210' repeats line 4 (both are 9876543210)"),
    ]


def test_number_rule_applies_only_when_a_flow_matches_numbers() -> None:
    assert len(parse_csv(b"prefix,region\n981,north\n", "t.csv").rows) == 1
    assert problems(b"number,region\n981,north\n", numbers="flow 'x' matches callers' numbers") == [
        (
            "line 2, column 1 (number)",
            "key '981' is not one national number, and flow 'x' matches callers' numbers",
        )
    ]


def test_not_csv_not_utf8_not_json() -> None:
    assert problems(b'number,name\n"98,x\n') == [("line 2", "not CSV: unexpected end of data")]
    assert problems(b"number,name\n\xff,x\n") == [("line 2", "not UTF-8 text (save the file as UTF-8)")]
    assert problems(b"") == [("line 1, column 1", "the first line must name the key column and the others")]
    with pytest.raises(TableFileError, match=r"rows\[1\]\[1\]: a value must be text"):
        parse_json(b'{"columns": ["number", "n"], "rows": [["9876543210", "a"], ["9812345678", 1.5]]}', "t")
    many = b"number,name\n" + b"x\n" * 30
    found = problems(many)
    assert len(found) == 20 and found[-1][1].endswith("(and 10 more problems)")


def test_json_whole_numbers_written_as_floats_are_read_exactly_and_fractions_refused() -> None:
    from flowgraph.tablefile import TableFileError, parse_table

    ok = b'{"columns": ["number", "agent"], "rows": [[9810000001.0, "a1"], [9810000002, "a2"]]}'
    table = parse_table(ok, "json", "t.json")
    assert [k for k, _v in table.rows] == ["9810000001", "9810000002"]
    for bad in (b"9810000001.5", b"1e300"):
        doc = b'{"columns": ["number", "agent"], "rows": [[' + bad + b', "a1"]]}'
        try:
            parse_table(doc, "json", "t.json")
        except TableFileError as exc:
            assert exc.problems[0][0] == "rows[0][0]"
        else:
            raise AssertionError(bad)
