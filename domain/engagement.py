"""The engagement: one customer conversation working through the FastTrack checklist.

Plain data plus the rules that change it. Serialises to and from a JSON-ready dict so any
store can keep it; knows nothing of Teams or of the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.catalog import Catalog, Task, Track
from domain.errors import ReasonRequired, TextTooLong, UnknownTask

MAX_REASON_CHARS = 500
# Redelivered activities are recognised by their id; a short memory is enough because
# Teams retries within seconds, not after hundreds of later changes.
APPLIED_OPS_KEPT = 64


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Actor:
    id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(id=str(data["id"]), name=str(data.get("name", "")))


@dataclass(frozen=True)
class EngagementKey:
    """Where an engagement lives: always derived from the activity, never from card data."""

    tenant_id: str
    conversation_key: str

    @property
    def id(self) -> str:
        # Teams ids contain characters Cosmos DB forbids in ids ('/', '#', '?'); a digest is safe.
        digest = hashlib.sha256(f"{self.tenant_id}\n{self.conversation_key}".encode()).hexdigest()
        return f"eng-{digest[:40]}"


@dataclass(frozen=True)
class TaskRecord:
    status: TaskStatus
    changed_by: Actor
    changed_at: datetime
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status.value,
            "by": self.changed_by.to_dict(),
            "at": self.changed_at.isoformat(),
        }
        if self.reason is not None:
            data["reason"] = self.reason
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskRecord:
        return cls(
            status=TaskStatus(data["status"]),
            changed_by=Actor.from_dict(data["by"]),
            changed_at=datetime.fromisoformat(data["at"]),
            reason=data.get("reason"),
        )


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    op_id: str
    at: datetime
    actor: Actor
    task_id: str
    from_status: TaskStatus
    to_status: TaskStatus
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "op": self.op_id,
            "at": self.at.isoformat(),
            "by": self.actor.to_dict(),
            "task": self.task_id,
            "from": self.from_status.value,
            "to": self.to_status.value,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditEntry:
        return cls(
            seq=int(data["seq"]),
            op_id=str(data["op"]),
            at=datetime.fromisoformat(data["at"]),
            actor=Actor.from_dict(data["by"]),
            task_id=str(data["task"]),
            from_status=TaskStatus(data["from"]),
            to_status=TaskStatus(data["to"]),
            reason=data.get("reason"),
        )


@dataclass(frozen=True)
class TrackProgress:
    track: Track
    done: int
    not_applicable: int
    open_required: int
    open_optional: int

    @property
    def total(self) -> int:
        return self.done + self.not_applicable + self.open_required + self.open_optional

    @property
    def settled(self) -> int:
        return self.done + self.not_applicable

    @property
    def complete(self) -> bool:
        return self.open_required == 0

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.total) if self.total else 100


@dataclass
class Engagement:
    key: EngagementKey
    conversation_type: str
    created_at: datetime
    installed_by: Actor | None = None
    locale: str = "en-US"
    tasks: dict[str, TaskRecord] = field(default_factory=dict)
    # Proactive-message address, refreshed from incoming activities (the service URL can move).
    conversation_reference: dict[str, Any] | None = None
    applied_ops: list[str] = field(default_factory=list)
    # Newest audit entries; older ones are moved into archive documents by the repository.
    audit_tail: list[AuditEntry] = field(default_factory=list)
    audit_seq: int = 0

    @property
    def id(self) -> str:
        return self.key.id

    def status_of(self, task_id: str) -> TaskStatus:
        record = self.tasks.get(task_id)
        return record.status if record else TaskStatus.OPEN

    def has_applied(self, op_id: str) -> bool:
        return op_id in self.applied_ops

    def progress(self, catalog: Catalog, track: Track) -> TrackProgress:
        counts = {"done": 0, "na": 0, "req": 0, "opt": 0}
        for task in catalog.tasks_of(track.id):
            status = self.status_of(task.id)
            if status is TaskStatus.DONE:
                counts["done"] += 1
            elif status is TaskStatus.NOT_APPLICABLE:
                counts["na"] += 1
            elif task.optional:
                counts["opt"] += 1
            else:
                counts["req"] += 1
        return TrackProgress(track, counts["done"], counts["na"], counts["req"], counts["opt"])

    def current_phase(self, catalog: Catalog) -> Track | None:
        """The first phase with required work left; None once every phase is complete.

        The general track runs alongside the phases and never gates them.
        """
        for phase in catalog.phases:
            if not self.progress(catalog, phase).complete:
                return phase
        return None

    def open_tasks(self, catalog: Catalog, track: Track) -> list[Task]:
        return [t for t in catalog.tasks_of(track.id) if self.status_of(t.id) is TaskStatus.OPEN]

    def set_task_status(
        self,
        catalog: Catalog,
        *,
        task_id: str,
        status: TaskStatus,
        actor: Actor,
        at: datetime,
        op_id: str,
        reason: str | None = None,
    ) -> AuditEntry | None:
        """Moves a task to `status`. Returns the audit entry, or None when nothing changed.

        A replayed op id or a move to the state the task is already in changes nothing, so a
        redelivered click or a double click is harmless.
        """
        if not catalog.has_task(task_id):
            raise UnknownTask(task_id=task_id)
        reason = (reason or "").strip() or None
        if status is TaskStatus.NOT_APPLICABLE and reason is None:
            raise ReasonRequired(task_id=task_id)
        if reason is not None and len(reason) > MAX_REASON_CHARS:
            raise TextTooLong(limit=MAX_REASON_CHARS)
        if status is not TaskStatus.NOT_APPLICABLE:
            reason = None
        previous = self.status_of(task_id)
        if self.has_applied(op_id) or previous is status:
            return None
        if status is TaskStatus.OPEN:
            self.tasks.pop(task_id, None)
        else:
            self.tasks[task_id] = TaskRecord(status, actor, at, reason)
        self.audit_seq += 1
        entry = AuditEntry(self.audit_seq, op_id, at, actor, task_id, previous, status, reason)
        self.audit_tail.append(entry)
        self.remember_op(op_id)
        return entry

    def remember_op(self, op_id: str) -> None:
        self.applied_ops.append(op_id)
        del self.applied_ops[:-APPLIED_OPS_KEPT]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenantId": self.key.tenant_id,
            "conversationKey": self.key.conversation_key,
            "conversationType": self.conversation_type,
            "createdAt": self.created_at.isoformat(),
            "installedBy": self.installed_by.to_dict() if self.installed_by else None,
            "locale": self.locale,
            "tasks": {task_id: record.to_dict() for task_id, record in self.tasks.items()},
            "conversationReference": self.conversation_reference,
            "appliedOps": list(self.applied_ops),
            "auditTail": [entry.to_dict() for entry in self.audit_tail],
            "auditSeq": self.audit_seq,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Engagement:
        installed_by = data.get("installedBy")
        return cls(
            key=EngagementKey(data["tenantId"], data["conversationKey"]),
            conversation_type=data["conversationType"],
            created_at=datetime.fromisoformat(data["createdAt"]),
            installed_by=Actor.from_dict(installed_by) if installed_by else None,
            locale=data.get("locale", "en-US"),
            tasks={k: TaskRecord.from_dict(v) for k, v in data.get("tasks", {}).items()},
            conversation_reference=data.get("conversationReference"),
            applied_ops=list(data.get("appliedOps", [])),
            audit_tail=[AuditEntry.from_dict(e) for e in data.get("auditTail", [])],
            audit_seq=int(data.get("auditSeq", 0)),
        )
