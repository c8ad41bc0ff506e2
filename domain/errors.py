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
    """The person's roles do not permit the action (domain/roles.py); the message says who
    may."""

    code = "not_permitted"

    def __init__(self, action: str) -> None:
        super().__init__(action=action)
        self.code = _NOT_PERMITTED.get(action, NotPermitted.code)


# Refusals that name more than the project manager, by the action's code.
_NOT_PERMITTED = {
    **dict.fromkeys(("skip", "nudges", "reassign", "tasks", "reopen_phase"), "manager_or_deputy"),
    "sign_customer": "not_customer_signer",
    "sign_fasttrack": "not_fasttrack_signer",
}


class PhaseNotReady(DomainError):
    """A phase is signed off once every task in it is settled."""

    code = "phase_not_ready"


class NoSignOffNeeded(DomainError):
    """A skipped phase, or a side whose signature the phase does not take."""

    code = "no_signoff_needed"


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


class UnknownMeeting(DomainError):
    """Not a meeting of this engagement, or not one of the phase's meetings."""

    code = "unknown_meeting"


class MeetingTitleRequired(DomainError):
    """A meeting that is none of the phase's own needs a name."""

    code = "meeting_title_required"


class MinutesBeforeMeeting(DomainError):
    """Notes, decisions and action items belong to a meeting that has started."""

    code = "minutes_before_meeting"


class BadMeetingLink(DomainError):
    """Only a Teams meeting link on one of Teams' own hosts."""

    code = "bad_meeting_link"


class ActionItemUnreadable(DomainError):
    code = "action_item_unreadable"


class ActionItemIncomplete(DomainError):
    """Each action item becomes a task with an owner and a due date."""

    code = "action_item_incomplete"


class MeetingChanged(DomainError):
    """The meeting was saved by someone else since the form was opened."""

    code = "meeting_changed"


class TooManyMeetings(DomainError):
    code = "too_many_meetings"


class BadTime(DomainError):
    code = "bad_time"


class TooManyActionItems(DomainError):
    code = "too_many_action_items"


class NotAMember(DomainError):
    """A personal chat asked for a team engagement the person is not known to belong to (or
    a forged one): nothing of it is shown."""

    code = "not_a_member"
