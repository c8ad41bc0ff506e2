"""The nudge: one digest card posted to the engagement channel at its schedule."""

from __future__ import annotations

from cards.common import (
    Card,
    Element,
    Mentions,
    View,
    adaptive_card,
    execute,
    heading,
    paragraph,
    task_title,
    user_text,
)
from cards.phase import next_step, primary_button
from domain.catalog import Catalog, Task
from domain.engagement import Engagement
from domain.nudges import Digest

MAX_PER_SECTION = 8


def _task_row(engagement: Engagement, task: Task, view: View, mentions: Mentions) -> Element:
    record = engagement.record(task.id)
    details = []
    if record.owner:
        details.append(mentions.of(record.owner))
    if record.due:
        key = "task.overdue" if engagement.is_overdue(task.id, view.today) else "task.due"
        details.append(view.t(key, date=view.date(record.due)))
    button = primary_button(task, next_step(task, record, in_scope=True), view)
    return {
        "type": "ColumnSet",
        "separator": True,
        "columns": [
            {
                "type": "Column",
                "width": "stretch",
                "items": [
                    paragraph(task_title(task, view.lang), weight="Bolder"),
                    *(
                        [paragraph(" · ".join(details), size="Small", spacing="None")]
                        if details
                        else []
                    ),
                ],
            },
            *(
                [
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Center",
                        "items": [{"type": "ActionSet", "actions": [button]}],
                    }
                ]
                if button
                else []
            ),
        ],
    }


def _section(
    title: str, tasks: list[Task], engagement: Engagement, view: View, mentions: Mentions
) -> list[Element]:
    if not tasks:
        return []
    rows = [_task_row(engagement, t, view, mentions) for t in tasks[:MAX_PER_SECTION]]
    more = len(tasks) - MAX_PER_SECTION
    tail = [paragraph(view.t("mytasks.more", count=more), isSubtle=True)] if more > 0 else []
    return [paragraph(title, weight="Bolder", spacing="Large"), *rows, *tail]


def nudge_card(engagement: Engagement, catalog: Catalog, digest: Digest, view: View) -> Card:
    mentions = Mentions()
    title = user_text(engagement.profile.name) if engagement.profile else view.t("overview.title")
    body: list[Element] = [
        paragraph(view.t("nudge.kicker"), isSubtle=True, spacing="None"),
        heading(title, size="Medium"),
    ]
    if digest.stalled_phase:
        body.append(
            paragraph(
                view.t("nudge.stalled", phase=digest.stalled_phase.name.in_(view.lang)),
                color="Warning",
                weight="Bolder",
            )
        )
    for phase, people in digest.awaiting_signoff:
        who = view.t("list.separator").join(mentions.of(p) for p in people)
        line = view.t("nudge.signoff", phase=phase.name.in_(view.lang), people=who)
        body.append(
            {
                "type": "Container",
                "selectAction": execute(
                    view.t("action.open_phase", phase=phase.name.in_(view.lang)),
                    "phase.show",
                    {"phase": phase.id},
                ),
                "items": [paragraph(line, weight="Bolder")],
            }
        )
    body += _section(view.t("nudge.overdue"), digest.overdue, engagement, view, mentions)
    soon = [t for t in digest.due_soon if t not in digest.overdue]
    body += _section(view.t("nudge.due_soon"), soon, engagement, view, mentions)
    body += _section(view.t("nudge.unowned"), digest.unowned, engagement, view, mentions)
    actions = [
        execute(view.t("action.snooze"), "nudge.snooze"),
        execute(view.t("action.stop_nudges"), "nudge.stop"),
        execute(view.t("action.change_schedule"), "setup.show"),
    ]
    return adaptive_card(body, actions, mentions=mentions)
