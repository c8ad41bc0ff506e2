"""The activity codec: JSON ↔ botbuilder's Activity without msrest's generic machinery.

Parsing (`parse_activity`) builds the Activity msrest would build; serialising
(`activity_body`) writes the JSON msrest would write for an outgoing activity, once, with
orjson. Both handle the shapes Teams sends and the bot sends; anything else goes through
msrest itself, so the result is always msrest's (tests/test_wire.py checks both against it).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import orjson
from botbuilder.schema import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    Entity,
)
from msrest.serialization import Deserializer, Model, Serializer

# What Activity().deserialize builds on every call (a map of every schema model, then the
# deserializer); built once, it parses the same way.
_MODELS = Activity._infer_class_models()
_ACTIVITY = Deserializer(_MODELS)  # type: ignore[no-untyped-call]
_SERIALIZER = Serializer(_MODELS)  # type: ignore[no-untyped-call]

_NESTED: dict[str, type[Model]] = {
    "ChannelAccount": ChannelAccount,
    "ConversationAccount": ConversationAccount,
    "Attachment": Attachment,
    "Entity": Entity,
}
# Per model: JSON key -> (attribute, msrest type).
_FIELDS: dict[type[Model], dict[str, tuple[str, str]]] = {
    model: {spec["key"]: (name, spec["type"]) for name, spec in model._attribute_map.items()}
    for model in (Activity, ConversationReference, *_NESTED.values())
}


def parse_activity(body: dict[str, Any]) -> Activity:
    """The Activity msrest would build from `body`, built directly when every field has the
    shape Teams sends (msrest's generic deserializer was a sixth of a click's CPU); anything
    else goes through msrest itself. Same rules: attributes by their exact JSON key, unknown
    keys in `additional_properties`, timestamps by msrest's own ISO 8601 parser."""
    activity = _direct(Activity, body)
    return activity if activity is not None else _ACTIVITY("Activity", body)


def parse_reference(stored: dict[str, Any]) -> ConversationReference:
    """The ConversationReference msrest would build from a stored reference (bot/scope.py),
    by the same rules as `parse_activity`: built once per proactive send."""
    reference = _direct(ConversationReference, stored)
    return reference if reference is not None else _ACTIVITY("ConversationReference", stored)


def _direct(model: type[Model], data: dict[str, Any]) -> Any:
    """`model` from `data`, or None where msrest must decide (a type it would convert)."""
    built = model()
    extra: dict[str, Any] = {}
    fields = _FIELDS[model]
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            extra[key] = value
            continue
        name, kind = field
        if value is None or kind == "object":
            pass
        elif kind == "str" or kind == "bool":
            if type(value) is not (str if kind == "str" else bool):
                return None
        elif kind == "iso-8601":
            value = Deserializer.deserialize_iso(value)  # type: ignore[no-untyped-call]
        elif kind in ("ChannelAccount", "ConversationAccount"):
            value = _direct(_NESTED[kind], value) if isinstance(value, dict) else None
            if value is None:
                return None
        elif kind == "[Entity]" and isinstance(value, list):
            entities = [_direct(Entity, e) if isinstance(e, dict) else None for e in value]
            if any(e is None for e in entities):
                return None
            value = entities
        else:
            return None
        setattr(built, name, value)
    built.additional_properties = extra
    return built


class _NotPlain(Exception):
    """A value msrest would convert (a subclass, a date, an enum): msrest serialises it."""


def activity_body(activity: Activity) -> bytes:
    """The request body msrest would send for `activity` (the connector's `Activity` body),
    serialised once. As msrest, it writes declared attributes only (never
    `additional_properties`) and leaves out those that are None; `object` attributes (a card,
    channelData, value) must hold JSON values, which the bot's cards are."""
    try:
        return orjson.dumps(_plain(activity, Activity))
    except (_NotPlain, TypeError):
        return orjson.dumps(_SERIALIZER.body(activity, "Activity"))  # type: ignore[no-untyped-call]


def parameters_body(parameters: ConversationParameters) -> bytes:
    """The body of a create-conversation call: small and rare, so msrest's JSON as it is."""
    return orjson.dumps(_SERIALIZER.body(parameters, "ConversationParameters"))  # type: ignore[no-untyped-call]


def _plain(model: Model, declared: type[Model]) -> dict[str, Any]:
    if type(model) is not declared:  # msrest would serialise it as the declared class
        raise _NotPlain(type(model).__name__)
    out: dict[str, Any] = {}
    for name, spec in declared._attribute_map.items():
        value = getattr(model, name, None)
        if value is None:
            continue
        kind = spec["type"]
        if kind == "object":
            pass
        elif kind == "str":
            value = value.value if isinstance(value, Enum) else value  # msrest: enum's value
            if type(value) is not str:
                raise _NotPlain(name)
        elif kind == "bool":
            if type(value) is not bool:
                raise _NotPlain(name)
        elif kind in _NESTED:
            value = _plain(value, _NESTED[kind])
        elif kind.startswith("[") and kind[1:-1] in _NESTED and type(value) is list:
            value = [_plain(item, _NESTED[kind[1:-1]]) for item in value]
        else:
            raise _NotPlain(name)
        out[spec["key"]] = value
    return out
