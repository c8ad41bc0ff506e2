"""Reading the cards the bot answers: the actions anywhere in an Adaptive Card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def card_actions(node: Any) -> Iterator[dict[str, Any]]:
    """Every action (`Action.Execute`, `Action.ShowCard`, ...) in `node`, depth first."""
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            yield node
        for value in node.values():
            yield from card_actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_actions(item)
