"""The personal reminder: an owner's overdue tasks, in their 1:1 chat with the bot, with the
switch that stops these messages (theirs alone to flip)."""

from __future__ import annotations

from cards.common import Card, View, adaptive_card, execute, heading, paragraph, user_text
from cards.mytasks import MAX_LISTED, OwnedTask, owned_task_block
from domain.catalog import Catalog


def personal_reminder_card(
    items: list[OwnedTask], catalog: Catalog, view: View, *, owner_name: str
) -> Card:
    body = [
        heading(view.t("reminder.title"), size="Medium"),
        paragraph(view.t("reminder.intro", name=user_text(owner_name, 60), count=len(items))),
        *(owned_task_block(item, catalog, view) for item in items[:MAX_LISTED]),
    ]
    if len(items) > MAX_LISTED:
        body.append(paragraph(view.t("mytasks.more", count=len(items) - MAX_LISTED)))
    body.append(paragraph(view.t("reminder.why"), isSubtle=True, size="Small"))
    return adaptive_card(body, actions=[execute(view.t("reminder.stop"), "reminders.stop")])


def reminder_switch_card(view: View, *, on: bool) -> Card:
    """What the switch answers: the state it is in now, and the way back."""
    if on:
        return adaptive_card(
            [paragraph(view.t("reminder.on"))],
            actions=[execute(view.t("reminder.stop"), "reminders.stop")],
        )
    return adaptive_card(
        [paragraph(view.t("reminder.off"))],
        actions=[execute(view.t("reminder.resume"), "reminders.resume")],
    )
