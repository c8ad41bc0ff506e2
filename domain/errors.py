"""Errors the domain raises, each with a stable code the Teams edge localizes."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. Nothing was changed."""

    code = "invalid_request"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.code)
        self.params = params


class UnknownTask(DomainError):
    code = "unknown_task"


class UnknownTrack(DomainError):
    code = "unknown_track"


class ReasonRequired(DomainError):
    code = "reason_required"


class TextTooLong(DomainError):
    code = "text_too_long"


class TooManyNotes(DomainError):
    """A task holds a bounded number of notes; past it a new one is refused."""

    code = "too_many_notes"


class EngagementMissing(DomainError):
    code = "engagement_missing"


class NotPermitted(DomainError):
    """Only the project manager (before setup: whoever installed the bot) may do this."""

    code = "not_permitted"


class UnknownPerson(DomainError):
    code = "unknown_person"


class TextRequired(DomainError):
    code = "text_required"


class NotOwner(DomainError):
    """A 'my tasks' entry acts only for the task's owner."""

    code = "not_owner"


class BadDate(DomainError):
    code = "bad_date"


class OwnerRequired(DomainError):
    """A standing duty is acknowledged by naming who is responsible for it first."""

    code = "owner_required"


class OwnerKept(DomainError):
    """An acknowledged duty keeps an owner: reassign it, or withdraw the acknowledgement."""

    code = "owner_kept"


class WrongKindOfTask(DomainError):
    """Phase tasks are done; standing duties are acknowledged. Never the other way round."""

    code = "wrong_kind_of_task"


class OutOfScope(DomainError):
    """The task concerns only services the engagement does not cover."""

    code = "out_of_scope"


class TooManyTasks(DomainError):
    """An engagement holds at most MAX_OWN_TASKS tasks of its own."""

    code = "too_many_tasks"


class CatalogTaskKept(DomainError):
    """The catalog's tasks stay on the checklist: mark them not applicable instead."""

    code = "catalog_task_kept"


class RestoreExpired(DomainError):
    """A removed task can be brought back for seven days only."""

    code = "restore_expired"


class EditConflict(DomainError):
    """The task was edited since the form was opened: nothing is changed over it."""

    code = "edit_conflict"


class NotAMember(DomainError):
    """A personal chat asked for a team engagement the person is not known to belong to (or
    a forged one): nothing of it is shown."""

    code = "not_a_member"
