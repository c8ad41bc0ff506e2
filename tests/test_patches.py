"""storage/patches.py: the operations that turn one version of a document into the next; and
what reads a patched map back (the applied ops, oldest first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.applied import REDELIVERY_WINDOW, AppliedOps
from storage.base import MAX_PATCH_OPERATIONS
from storage.patches import body_patch, pointer, segments


def test_unchanged_bodies_need_no_operation_and_shared_entries_are_not_compared() -> None:
    record = {"status": "done"}
    before = {"tasks": {"a": record}, "n": 1}
    assert body_patch(before, {"tasks": {"a": record}, "n": 1}) == []
    assert body_patch(before, {"tasks": {"a": {"status": "done"}}, "n": 1}) == []


def test_a_click_is_a_few_entry_operations_whatever_the_number_of_tasks() -> None:
    tasks = {f"own-{n}": {"status": "open", "owner": {"id": "u1"}} for n in range(300)}
    before: dict[str, Any] = {
        "tasks": tasks,
        "appliedOps": {"op-1": 1},
        "auditTail": [{"seq": 1}],
        "auditSeq": 1,
    }
    after = {
        "tasks": {**tasks, "own-7": {"status": "done"}},
        "appliedOps": {"op-1": 1, "op/2~": 2},
        "auditTail": [{"seq": 1}, {"seq": 2}],
        "auditSeq": 2,
    }
    del after["tasks"]["own-9"]
    assert body_patch(before, after) == [
        {"op": "set", "path": "/tasks/own-7", "value": {"status": "done"}},
        {"op": "remove", "path": "/tasks/own-9"},
        {"op": "set", "path": "/appliedOps/op~12~0", "value": 2},
        {"op": "add", "path": "/auditTail/-", "value": {"seq": 2}},
        {"op": "set", "path": "/auditSeq", "value": 2},
    ]


def test_new_removed_and_replaced_properties_are_set_or_removed_whole() -> None:
    before = {"gone": 1, "list": [1, 2], "profile": None}
    after = {"list": [2], "profile": {"name": "x"}, "new": {}}
    assert body_patch(before, after) == [
        {"op": "set", "path": "/list", "value": [2]},
        {"op": "set", "path": "/profile", "value": {"name": "x"}},
        {"op": "set", "path": "/new", "value": {}},
        {"op": "remove", "path": "/gone"},
    ]


def test_past_the_limit_the_largest_property_is_set_whole_and_past_that_none() -> None:
    many = {str(n): n for n in range(15)}
    ops = body_patch({"m": {}, "n": 0}, {"m": many, "n": 1})
    assert ops == [
        {"op": "set", "path": "/m", "value": many},
        {"op": "set", "path": "/n", "value": 1},
    ]
    keys = MAX_PATCH_OPERATIONS + 1
    assert body_patch({}, {str(n): n for n in range(keys)}) is None
    assert body_patch({}, {str(n): n for n in range(keys - 1)}) is not None


def test_pointers_escape_and_read_back_tilde_and_slash() -> None:
    path = pointer("appliedOps", "f:1/2~3")
    assert path == "/appliedOps/f:1~12~03"
    assert segments(path) == ["appliedOps", "f:1/2~3"]


def test_applied_ops_read_in_any_order_are_kept_oldest_first() -> None:
    """A patched map may come back from a store in another order; the redelivery memory
    still forgets its oldest op first."""
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    times = {f"op-{n}": int((start + timedelta(seconds=n)).timestamp()) for n in range(4)}
    scrambled = {op: times[op] for op in ("op-2", "op-0", "op-3", "op-1")}
    applied = AppliedOps.stored(scrambled, start)
    assert applied.ops() == ["op-0", "op-1", "op-2", "op-3"]
    applied.add("op-new", start + REDELIVERY_WINDOW + timedelta(seconds=2))
    assert applied.ops() == ["op-2", "op-3", "op-new"]
