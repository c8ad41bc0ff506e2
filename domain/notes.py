"""Notes on a task. Each note is its own document, so a long history never grows the
engagement document that every click reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.engagement import Actor

NOTE_PREFIX = "note-"


def note_id(task_id: str, op_id: str) -> str:
    """Named by the activity that added it, so a redelivered note is the same document."""
    digest = hashlib.sha256(op_id.encode()).hexdigest()[:24]
    return f"{NOTE_PREFIX}{task_id}:{digest}"  # ":" never occurs in a task id


@dataclass(frozen=True)
class Note:
    task_id: str
    author: Actor
    at: datetime
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "note",
            "task": self.task_id,
            "by": self.author.to_dict(),
            "at": self.at.isoformat(),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        return cls(
            data["task"],
            Actor.from_dict(data["by"]),
            datetime.fromisoformat(data["at"]),
            data["text"],
        )
