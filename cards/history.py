"""The history card: the audit trail newest first, a page at a time, optionally one task's."""

from __future__ import annotations

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
from domain.catalog import Catalog, Task
from domain.engagement import Engagement
from domain.history import HistoryPage, change_words, subject_name


def history_card(
    history: HistoryPage,
    engagement: Engagement,
    catalog: Catalog,
    view: View,
    *,
    names: dict[str, str],
    task: Task | None = None,
) -> Card:
    time_zone = view.time_zone or "UTC"
    title = (
        view.t("history.of_task", task=task_title(task, view.lang))
        if task
        else view.t("history.title")
    )
    body: list[Element] = [heading(title, size="Medium")]
    if not history.entries:
        body.append(paragraph(view.t("history.none"), isSubtle=True))
    for entry in history.entries:
        lines = [
            f"**{user_text(entry.actor.name or '?', 40)}** · {view.moment(entry.at)}",
            user_text(
                f"{subject_name(entry, engagement, catalog, view.lang)}: "
                f"{change_words(entry, view.lang, names, time_zone)}",
                300,
            ),
        ]
        if entry.reason:
            lines.append(view.t("history.reason", reason=user_text(entry.reason, 200)))
        body.append(paragraph("  \n".join(lines), size="Small", separator=True))
    body.append(
        paragraph(
            view.t("history.page", page=history.page + 1, pages=history.pages),
            isSubtle=True,
            size="Small",
        )
    )
    scope = {"task": task.id} if task else {}
    actions = []
    if history.page > 0:
        actions.append(
            execute(
                view.t("action.newer"), "history.show", {**scope, "page": str(history.page - 1)}
            )
        )
    if history.page + 1 < history.pages:
        actions.append(
            execute(
                view.t("action.older"), "history.show", {**scope, "page": str(history.page + 1)}
            )
        )
    if task:
        actions.append(execute(view.t("action.all_history"), "history.show"))
        actions.append(execute(view.t("action.details"), "task.show", {"task": task.id}))
    return adaptive_card(body, actions)
