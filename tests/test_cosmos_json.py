"""The Cosmos DB SDK's responses parsed by orjson (storage/cosmos_json.py): the same values as
the standard library's `json.loads` for every JSON text, and the SDK really parsing with it."""

from __future__ import annotations

import importlib
import importlib.util
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storage import cosmos_json

SCALARS = (
    st.none()
    | st.booleans()
    # orjson's integers: 64 bits, signed or not (see the last test for those past them).
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 differ here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 and 0.0 differ here; inf == inf
    return bool(a == b)


@settings(max_examples=400)
@given(
    VALUES,
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":")]),
    st.sampled_from([None, 2]),
)
def test_every_json_text_parses_as_the_standard_library_parses_it(
    value: Any, ascii_only: bool, separators: tuple[str, str], indent: int | None
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, separators=separators, indent=indent)
    assert _same(cosmos_json.loads(text), json.loads(text))


def test_numbers_as_cosmos_db_writes_them_parse_the_same() -> None:
    # Cosmos DB keeps doubles and writes large and small ones with a capital E.
    text = '{"a": 1.2345678901234568E+29, "b": 1E-7, "c": -0.0, "d": 9007199254740993, "e": 2.5}'
    assert _same(cosmos_json.loads(text), json.loads(text))


def test_what_orjson_refuses_parses_as_before() -> None:
    # A lone surrogate escape, NaN and infinities: orjson refuses each.
    for text in ('{"a": "\\ud800"}', "[NaN]", "[-Infinity]"):
        assert repr(cosmos_json.loads(text)) == repr(json.loads(text))


def test_an_integer_past_64_bits_is_the_double_cosmos_db_holds() -> None:
    # Cosmos DB keeps every number as an IEEE 754 double, so no stored value is an integer
    # past 64 bits; orjson reads such a literal as that double, not as a Python int.
    big = 123456789012345678901234567890
    assert cosmos_json.loads(f'{{"n": {big}}}') == {"n": float(big)}


def test_a_document_with_korean_text_parses_the_same() -> None:
    body = {"title": "조건부 액세스 정책을 검토합니다", "tasks": {"t1": {"due": "2027-01-04"}}}
    text = json.dumps(body, ensure_ascii=False)
    assert cosmos_json.loads(text) == body


def test_the_sdk_parses_its_responses_with_it() -> None:
    assert cosmos_json.install() is True
    assert cosmos_json.install() is True  # a second store opening changes nothing
    module = importlib.import_module(cosmos_json.SDK_MODULE)
    assert module.json.loads is cosmos_json.loads
    assert module.json.dumps is json.dumps  # the rest is the standard library's
    assert module.json.JSONDecodeError is json.JSONDecodeError
    # What the SDK calls where it parses a body.
    source = importlib.util.find_spec(cosmos_json.SDK_MODULE)
    assert source is not None and source.origin is not None
    with open(source.origin, encoding="utf-8") as file:
        assert "result = json.loads(data)" in file.read()
