"""Every flow's routes in one router: the bot's whole vocabulary of verbs and commands."""

from __future__ import annotations

from dialogs import (
    details,
    export,
    history,
    meetings,
    my_tasks,
    nudges,
    overview,
    own_tasks,
    phase,
    reminders,
    report,
    setup,
    signoff,
    task,
    team_engagements,
)
from dialogs.router import Router


def all_flows() -> Router:
    return Router(
        overview.routes,
        phase.routes,
        signoff.routes,
        task.routes,
        details.routes,
        my_tasks.routes,
        setup.routes,
        nudges.routes,
        report.routes,
        history.routes,
        export.routes,
        own_tasks.routes,
        meetings.routes,
        reminders.routes,
        team_engagements.routes,
        unknown_command=overview.unknown_command,
    )
