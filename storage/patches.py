"""What changed between two versions of a document, as the patch operations that turn one into
the other, so a click on a big engagement writes what it changed, not the whole document.

The operations are the subset every backend supports (storage/base.py): a top-level property
set or removed, an entry of a top-level object (a task's record, an applied op) set or
removed, values appended to a top-level array (the audit tail). Entries are compared by
identity first: unchanged records are shared between versions, so a diff over hundreds of
tasks costs a few microseconds.
"""

from __future__ import annotations

from typing import Any

from storage.base import MAX_PATCH_OPERATIONS, PatchOperation

_MISSING = object()


def pointer(*segments: str) -> str:
    """A JSON Pointer (RFC 6901) to the property the segments name."""
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segments)


def segments(path: str) -> list[str]:
    """The property names a JSON Pointer holds (the inverse of `pointer`)."""
    return [s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")]


def body_patch(
    before: dict[str, Any], after: dict[str, Any], limit: int = MAX_PATCH_OPERATIONS
) -> list[PatchOperation] | None:
    """The operations that turn `before` into `after` ([] when they are equal), at most
    `limit` of them; None when even whole top-level properties need more (write it whole).

    Past the limit, the property with the most entry operations is set whole instead, as
    often as needed: a batch of new tasks sets `/tasks` once rather than fail the patch."""
    changes: list[list[PatchOperation]] = []
    for key, value in after.items():
        old = before.get(key, _MISSING)
        if old is value:
            continue
        if isinstance(old, dict) and isinstance(value, dict):
            ops = _entry_operations(key, old, value)
        elif isinstance(old, list) and isinstance(value, list) and _extends(old, value):
            ops = [{"op": "add", "path": pointer(key, "-"), "value": v} for v in value[len(old) :]]
        elif old == value:
            continue
        else:
            ops = [_set(key, value)]
        if ops:
            changes.append(ops)
    changes += [[{"op": "remove", "path": pointer(k)}] for k in before if k not in after]
    while sum(len(ops) for ops in changes) > limit:
        largest = max(range(len(changes)), key=lambda i: len(changes[i]))
        if len(changes[largest]) == 1:
            return None
        key = segments(changes[largest][0]["path"])[0]
        changes[largest] = [_set(key, after[key])]
    return [op for ops in changes for op in ops]


def _set(key: str, value: Any) -> PatchOperation:
    return {"op": "set", "path": pointer(key), "value": value}


def _extends(old: list[Any], new: list[Any]) -> bool:
    return len(new) > len(old) and new[: len(old)] == old


def _entry_operations(key: str, old: dict[str, Any], new: dict[str, Any]) -> list[PatchOperation]:
    if old == new:  # in C, and shared entries compare by identity: the common case is fast
        return []
    get = old.get
    candidates = [name for name, value in new.items() if get(name, _MISSING) is not value]
    ops: list[PatchOperation] = []
    added = 0
    for name in candidates:
        previous = get(name, _MISSING)
        if previous is _MISSING:
            added += 1
        elif previous == new[name]:
            continue
        ops.append({"op": "set", "path": pointer(key, name), "value": new[name]})
    if len(old) > len(new) - added:  # some entries are gone
        ops += [{"op": "remove", "path": pointer(key, name)} for name in old if name not in new]
    return ops
