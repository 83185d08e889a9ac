"""The streaming JSON reader: its orjson fast path must read exactly what the standard
scanner reads, and leave every case it cannot vouch for to that scanner."""

from __future__ import annotations

import io

import pytest

from ingest.jsonstream import JsonDamage, JsonItem, json_items


def _values(text: str) -> list[object]:
    return [
        item.value if isinstance(item, JsonItem) else ("damage", item.reason)
        for item in json_items(io.StringIO(text))
    ]


@pytest.mark.parametrize(
    "line",
    [
        '{"id": 123456789012345678901234567890}',  # beyond 64 bits: exact, not a float
        '{"id": -9999999999999999999}',  # 19 digits below the int64 range
        '{"x": 18446744073709551615}',  # the largest unsigned 64-bit value
        '{"x": NaN}',  # json accepts it, orjson does not
        '{"a": 1, "a": 2}',  # the last duplicate wins in both
        '{"s": "\\ud83d\\ude00"}',  # an escaped surrogate pair
    ],
)
def test_each_line_reads_as_the_standard_library_reads_it(line: str) -> None:
    import json

    expected = json.loads(line)
    [value] = _values(line + "\n")
    assert repr(value) == repr(expected)
    [value] = _values("[\n" + line + ",\n" + line + "\n]\n")[:1]
    assert repr(value) == repr(expected)


def test_raw_text_and_offsets_are_the_original_lines() -> None:
    text = '[\n{"a": 1} ,\n  {"b": [1, 2]},\n{"c": 3}]\n'
    items = list(json_items(io.StringIO(text)))
    assert [i.raw for i in items if isinstance(i, JsonItem)] == [
        '{"a": 1}',
        '{"b": [1, 2]}',
        '{"c": 3}',
    ]
    assert [text[i.offset : i.offset + len(i.raw)] for i in items] == [i.raw for i in items]


def test_two_values_on_one_line_and_damage_read_as_before() -> None:
    assert _values('{"a": 1} {"b": 2}\n{"c": \n') == [
        {"a": 1},
        {"b": 2},
        ("damage", "invalid JSON (Expecting value)"),
    ]
    damaged = _values('[\n{"a": 1},\n{"b": }\n]\n')
    assert damaged[0] == {"a": 1}
    assert isinstance(next(json_items(io.StringIO('[\n{"b": }\n]'))), JsonDamage)


def test_lone_surrogates_from_undecodable_bytes_still_read() -> None:
    [value] = _values('{"s": "caf\udce9"}\n')
    assert value == {"s": "caf\udce9"}
