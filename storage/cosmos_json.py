"""The Cosmos DB SDK's response bodies parsed with orjson instead of the standard library.

`azure.cosmos.aio` parses every response with `json.loads` (in `_asynchronous_request`,
module attribute `json`), and offers no option for another decoder. For an engagement of
300 tasks (a ~100 KB document) read after another instance changed it, that parse was about
1 ms of the read's 3-4 ms of CPU; orjson takes half as long (0.92 → 0.45 ms for that body,
ASCII, on a quiet loop; Korean text gains less, as orjson first encodes the SDK's str to
UTF-8; p50 of
`read_if_changed` on a 98 KB document 4.46 → 3.95 ms and 5.12 → 4.15 ms in two alternating
runs). So `install()` gives that module a `json` whose `loads` is orjson's, falling back to
the standard library's for anything orjson refuses (lone surrogates, NaN), so every body
parses to what it did before (tests/test_cosmos_json.py holds the two equal). The one
difference: an integer literal past 64 bits comes back as a float, the double Cosmos DB
stores for every number anyway. If an SDK upgrade moves the parse, `install()` changes
nothing and logs a warning, and that test fails.
"""

from __future__ import annotations

import importlib
import json
import logging
import types
from typing import Any

import orjson

log = logging.getLogger(__name__)

SDK_MODULE = "azure.cosmos.aio._asynchronous_request"


def loads(text: str | bytes) -> Any:
    """`json.loads`, by orjson where orjson accepts the text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# The SDK module's `json`: the standard library's in all but `loads`.
_json = types.ModuleType("json", json.__doc__)
_json.__dict__.update({k: v for k, v in vars(json).items() if not k.startswith("__")})
_json.loads = loads  # type: ignore[attr-defined]


def install() -> bool:
    """Points the SDK's response parse at `loads`; whether it could."""
    module = importlib.import_module(SDK_MODULE)
    current = getattr(module, "json", None)
    if current is json:
        module.json = _json  # type: ignore[attr-defined]
        return True
    if current is _json:
        return True
    log.warning("Cosmos DB responses are parsed by the SDK's own json: %s changed", SDK_MODULE)
    return False
