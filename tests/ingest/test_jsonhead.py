"""The one outline of a JSON head that the JSON sniffs share."""

from __future__ import annotations

from ingest.connectors.jsonhead import outline


def test_top_level_keys_keep_text_values_and_nested_keys_are_grouped() -> None:
    head = b'\xef\xbb\xbf {"type": "new", "n": 3, "before": {"id": "x", "data": {"score": 1}},'
    head += b' "after": ["a", {"camera": "c"}], "tail" \n\t : "end"}'
    found = outline(head, in_array=False)
    assert found is not None
    assert found.keys == {"type": "new", "n": None, "before": None, "after": None, "tail": "end"}
    assert found.nested == {"before": {"id", "data", "score"}, "after": {"camera"}}
    assert found.closed


def test_a_head_that_cuts_the_object_off_is_not_closed() -> None:
    found = outline(b'{"data": [{"id": "1", "text": "a \\"quoted\\" }', in_array=False)
    assert found is not None
    assert found.keys == {"data": None}
    assert found.nested == {"data": {"id", "text"}}
    assert not found.closed


def test_strings_that_look_like_keys_or_brackets_are_values() -> None:
    found = outline(b'{"a": "b:", "c": "{[", "d": "x\\"y"}', in_array=False)
    assert found is not None
    assert found.keys == {"a": "b:", "c": "{[", "d": 'x\\"y'}
    assert found.closed


def test_the_first_element_of_an_array_is_outlined_only_when_asked() -> None:
    head = b'  [ {"camera": "gate", "label": "car"}, {"other": 1}]'
    assert outline(head, in_array=False) is None
    found = outline(head, in_array=True)
    assert found is not None and found.keys == {"camera": "gate", "label": "car"}
    assert outline(b"[1, 2]", in_array=True) is None
    assert outline(b"<xml/>", in_array=True) is None
    assert outline(b"", in_array=False) is None
