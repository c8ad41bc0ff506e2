"""How an engagement is laid out in its partition: its own tasks in a document of their own.

The domain writes an engagement as one body (`Engagement.to_dict`) with its own tasks in
place. Up to 300 of them, with their titles, descriptions and who added them when, are about
two thirds of a big engagement's body, and they change far less often than anything else in
it. Every instance that missed a click reads the engagement document whole (Cosmos DB sends
the item whole), so they are stored apart: in an immutable document named by a fresh id
(`own-tasks-<hex>`), which the engagement document names in place of the map. A reader
reads that document only when the name changed since it last read it, so a click elsewhere
costs the 300-task engagement the ~30 KB of its task records instead of ~100 KB.

Why a fresh id for every version, never reused: a writer creates the new document before it
writes the engagement (so a reader never meets a name without its document) and deletes the
one it replaced after; a name, once replaced, never comes back, so that delete cannot hit a
version some later write names again. A writer whose write is refused deletes what it
created, unless the engagement names it: then its write was applied after all (the answer
lost, the store's retry of it refused). A reader that meets a name whose document is gone
read an engagement that has moved on, and reads it again.

Versions before this one read the map in place; during a rolling upgrade they meet a
string there. An instance of theirs that remembers the engagement with the same
`ownTasksDigest` keeps the own tasks it has (they are the same), and a write of its own puts
the map back in place, which this version reads as it is (the document named before is then
left unused). Every other read of theirs fails (`'str' object has no attribute 'items'`:
a cold read, their scheduler's query, own tasks changed since): they never show or write an
engagement without its own tasks. A map in place is moved out on the engagement's next write.
"""

from __future__ import annotations

import uuid
from typing import Any

OWN_TASKS = "ownTasks"
OWN_TASKS_DIGEST = "ownTasksDigest"
OWN_TASKS_PREFIX = "own-tasks-"
OWN_TASKS_TYPE = "ownTasks"


def own_tasks_name(stored: dict[str, Any]) -> str | None:
    """The id of the document holding the own tasks of a stored engagement body, or None when
    they are in place (or it has none)."""
    value = stored.get(OWN_TASKS)
    return value if isinstance(value, str) else None


def stored_form(
    body: dict[str, Any], before: dict[str, Any] | None, before_stored: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The engagement body to store for `body` (as the domain writes it), and the own-tasks
    document to create first ({"id", "body"}; None when the stored one still holds them).
    `before` is the body the change started from and `before_stored` how it was stored."""
    own = body.get(OWN_TASKS)
    if not own:
        return body, None  # none: an empty map in place costs a few bytes
    name = own_tasks_name(before_stored) if before_stored is not None else None
    if name is not None and before is not None:
        # The same map, or one with the same digest (written with it since format 2).
        digest = body.get(OWN_TASKS_DIGEST)
        if own is before.get(OWN_TASKS) or (
            digest is not None and digest == before.get(OWN_TASKS_DIGEST)
        ):
            return {**body, OWN_TASKS: name}, None
    name = OWN_TASKS_PREFIX + uuid.uuid4().hex
    return {**body, OWN_TASKS: name}, {"id": name, "body": {"type": OWN_TASKS_TYPE, OWN_TASKS: own}}


def joined(stored: dict[str, Any], holder: dict[str, Any]) -> dict[str, Any]:
    """The body as the domain reads it, from the stored one and the body holding its own
    tasks: their document's, or an earlier body as the domain read it."""
    return {**stored, OWN_TASKS: holder[OWN_TASKS]}
