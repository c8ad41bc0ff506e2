"""'My tasks': the tasks someone owns across the engagements they are in, overdue first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cards.common import (
    Card,
    Element,
    View,
    adaptive_card,
    execute,
    heading,
    paragraph,
    task_title,
    user_text,
)
from cards.phase import mark, next_step, status_buttons, task_labels
from domain.catalog import Catalog, Task
from domain.engagement import Engagement


@dataclass(frozen=True)
class OwnedTask:
    engagement: Engagement
    task: Task
    overdue: bool


def _engagement_name(engagement: Engagement, view: View) -> str:
    return (
        user_text(engagement.profile.name, 60) if engagement.profile else view.t("mytasks.unnamed")
    )


def owned_task_block(item: OwnedTask, catalog: Catalog, view: View) -> Element:
    engagement, task = item.engagement, item.task
    record = engagement.record(task.id)
    in_scope = engagement.in_scope(task)
    # These buttons act on another conversation's engagement: the id is only a pointer, and
    # the click is refused unless the person clicking owns the task there.
    pointer = {"engagement": engagement.id, "view": "mytasks"}
    buttons = status_buttons(task, next_step(task, record, in_scope), view, extra=pointer)
    lines = [
        f"{_engagement_name(engagement, view)} · {catalog.track(task.track_id).name.in_(view.lang)}"
    ]
    if record.due:
        key = "task.overdue" if item.overdue else "task.due"
        lines.append(view.t(key, date=view.date(record.due)))
    return {
        "type": "Container",
        "separator": True,
        "items": [
            paragraph(
                f"{mark(record, in_scope)} {task_title(task, view.lang)}",
                weight="Bolder",
                color="Attention" if item.overdue else "Default",
            ),
            *task_labels(task, in_scope, view),
            paragraph(" · ".join(lines), isSubtle=True, size="Small", spacing="None"),
            *([{"type": "ActionSet", "actions": buttons}] if buttons else []),
        ],
    }


MAX_LISTED = 15


def my_tasks_card(
    items: list[OwnedTask],
    catalog: Catalog,
    view: View,
    *,
    owner_name: str,
    refresh_for: str | None = None,
) -> Card:
    """`refresh_for` (a Teams user id) makes Teams fetch this view for that person only, so in
    a channel the list is theirs alone; everyone else sees the placeholder body. Refresh does
    not always run in team channels, so the placeholder offers to send the list to the
    clicker's personal chat instead."""
    if refresh_for:
        refresh = {
            "action": execute(view.t("mytasks.title"), "mytasks.show"),
            "userIds": [refresh_for],
        }
        return personal_chat_offer(view, owner_name=owner_name, refresh=refresh)
    ordered = sorted(
        items,
        key=lambda i: (not i.overdue, i.engagement.record(i.task.id).due or date.max, i.task.id),
    )
    body = [heading(view.t("mytasks.title"), size="Medium")]
    if not ordered:
        body.append(paragraph(view.t("mytasks.none")))
    body += [owned_task_block(item, catalog, view) for item in ordered[:MAX_LISTED]]
    if len(ordered) > MAX_LISTED:
        body.append(
            paragraph(view.t("mytasks.more", count=len(ordered) - MAX_LISTED), isSubtle=True)
        )
    return adaptive_card(body)


def personal_chat_offer(
    view: View,
    *,
    owner_name: str,
    notice: str | None = None,
    sent: bool = True,
    refresh: Element | None = None,
) -> Card:
    """The channel's placeholder for someone's list, with the button that sends the list of
    whoever clicks it to their personal chat; `notice` says how that went."""
    body = [
        paragraph(view.t("mytasks.private", name=user_text(owner_name, 60)), isSubtle=True),
        paragraph(view.t("mytasks.send_hint"), isSubtle=True, size="Small"),
    ]
    if notice:
        body.append(paragraph(notice, weight="Bolder", color="Good" if sent else "Attention"))
    actions = [execute(view.t("mytasks.send"), "mytasks.send")]
    return adaptive_card(body, actions, refresh=refresh)
