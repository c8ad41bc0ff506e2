"""The conversations: one module per flow, each registering its card verbs and typed
commands (`routes`), all free of the Bot Framework SDK.

    overview.py   status, help          phase.py    walkthrough, pages, skip
    task.py       done / n.a. / reopen, owner, due date, notes, details
    my_tasks.py   what you own          setup.py    the form, its draft, the save
    nudges.py     the digest run, snooze / stop / resume
    welcome.py    installation and removal

`flows.all_flows()` builds the one router; `commands.py` is the words people type.
"""

from dialogs.context import (
    Announcement,
    CardData,
    ConversationUnreachable,
    FlowContext,
    InvalidAction,
    Poster,
    Reply,
)
from dialogs.router import Router, Routes
from dialogs.scope import TurnScope
from dialogs.services import Services, utc_now

__all__ = [
    "Announcement",
    "CardData",
    "ConversationUnreachable",
    "FlowContext",
    "InvalidAction",
    "Poster",
    "Reply",
    "Router",
    "Routes",
    "Services",
    "TurnScope",
    "utc_now",
]
