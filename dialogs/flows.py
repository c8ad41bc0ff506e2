"""Every flow's routes in one router: the bot's whole vocabulary of verbs and commands."""

from __future__ import annotations

from dialogs import details, my_tasks, nudges, overview, phase, setup, task
from dialogs.router import Router


def all_flows() -> Router:
    return Router(
        overview.routes,
        phase.routes,
        task.routes,
        details.routes,
        my_tasks.routes,
        setup.routes,
        nudges.routes,
        unknown_command=overview.unknown_command,
    )
