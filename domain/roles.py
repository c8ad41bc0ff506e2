"""Who may do what: the engagement's roles and the one table of their permissions.

The customer's project manager runs the engagement; deputies act for them in everything but
the setup (so they cannot change the roles, their own included) and may sign a phase off for
the customer; FastTrack engineers (Microsoft's, usually guests in the customer's team) sign
the joint verification before Enable. Everyone in the conversation works the checklist.
README.md ("Roles and sign-off") shows this table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Role(StrEnum):
    MANAGER = "manager"  # the customer's project manager (before setup: the installer)
    DEPUTY = "deputy"
    FASTTRACK = "fasttrack"  # a Microsoft FastTrack engineer
    MEMBER = "member"  # anyone else in the conversation


class ManagerAction(StrEnum):
    """What only some roles may do (everyone works the checklist). The value is the code the
    refusal message names."""

    SETUP = "setup"  # the settings, the roles among them
    SKIP = "skip"
    NUDGES = "nudges"
    # Taking a task away from its owner; the owner may too.
    REASSIGN = "reassign"
    # Editing, removing and restoring the engagement's own tasks.
    TASKS = "tasks"
    SIGN_CUSTOMER = "sign_customer"  # a phase's sign-off for the customer
    SIGN_FASTTRACK = "sign_fasttrack"  # the FastTrack engineer's sign-off of Remediate
    REOPEN_PHASE = "reopen_phase"  # withdraws a phase's signatures


PERMISSIONS: Final[dict[ManagerAction, frozenset[Role]]] = {
    ManagerAction.SETUP: frozenset({Role.MANAGER}),
    ManagerAction.SKIP: frozenset({Role.MANAGER, Role.DEPUTY}),
    ManagerAction.NUDGES: frozenset({Role.MANAGER, Role.DEPUTY}),
    ManagerAction.REASSIGN: frozenset({Role.MANAGER, Role.DEPUTY}),
    ManagerAction.TASKS: frozenset({Role.MANAGER, Role.DEPUTY}),
    ManagerAction.SIGN_CUSTOMER: frozenset({Role.MANAGER, Role.DEPUTY}),
    ManagerAction.SIGN_FASTTRACK: frozenset({Role.FASTTRACK}),
    ManagerAction.REOPEN_PHASE: frozenset({Role.MANAGER, Role.DEPUTY}),
}


def permits(roles: frozenset[Role], action: ManagerAction) -> bool:
    return bool(roles & PERMISSIONS[action])


class Side(StrEnum):
    """Whose signature a phase's sign-off takes."""

    CUSTOMER = "customer"
    FASTTRACK = "fasttrack"


SIGN_ACTION: Final = {
    Side.CUSTOMER: ManagerAction.SIGN_CUSTOMER,
    Side.FASTTRACK: ManagerAction.SIGN_FASTTRACK,
}
# The customer's project manager signs every phase; Remediate ends with FastTrack's joint
# verification of the outcomes ("before you begin the Enable phase, we jointly verify").
SIGNERS: Final[dict[str, tuple[Side, ...]]] = {"remediate": (Side.CUSTOMER, Side.FASTTRACK)}
DEFAULT_SIGNERS: Final = (Side.CUSTOMER,)


def signers_of(phase_id: str) -> tuple[Side, ...]:
    return SIGNERS.get(phase_id, DEFAULT_SIGNERS)
