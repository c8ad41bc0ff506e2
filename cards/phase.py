"""The phase card: a phase's goal and checkpoint, then each task with its state and buttons."""

from __future__ import annotations

from cards.common import (
    Card,
    Element,
    adaptive_card,
    clip,
    execute,
    format_date,
    heading,
    paragraph,
    progress_bar,
)
from domain.catalog import Catalog, Language, Task, Track
from domain.engagement import Engagement, TaskStatus
from domain.i18n import text

STATUS_MARK = {TaskStatus.OPEN: "⬜", TaskStatus.DONE: "✅", TaskStatus.NOT_APPLICABLE: "➖"}


def reason_input_id(task_id: str) -> str:
    """Each task's reason box has its own id: Teams sends every input of the card with a click."""
    return f"reason.{task_id}"


def _status_line(engagement: Engagement, task: Task, lang: Language) -> Element | None:
    record = engagement.tasks.get(task.id)
    if record is None:
        return None
    who, when = clip(record.changed_by.name or "?", 40), format_date(record.changed_at, lang)
    if record.status is TaskStatus.DONE:
        line = text(lang, "task.status.done", who=who, when=when)
    else:
        line = text(
            lang,
            "task.status.not_applicable",
            who=who,
            when=when,
            reason=clip(record.reason or "", 120),
        )
    return paragraph(line, size="Small", color="Good", spacing="Small")


def _task_actions(status: TaskStatus, task: Task, lang: Language) -> list[Element]:
    target = {"task": task.id}
    if status is not TaskStatus.OPEN:
        return [execute(text(lang, "action.reopen"), "task.reopen", target)]
    reason_form = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "Input.Text",
                "id": reason_input_id(task.id),
                "label": text(lang, "input.reason.label"),
                "placeholder": text(lang, "input.reason.placeholder"),
                "maxLength": 500,
                "isRequired": True,
                "errorMessage": text(lang, "error.reason_required"),
            }
        ],
        "actions": [execute(text(lang, "action.confirm_not_applicable"), "task.na", target)],
    }
    return [
        execute(text(lang, "action.done"), "task.done", target, style="positive"),
        {
            "type": "Action.ShowCard",
            "title": text(lang, "action.not_applicable"),
            "card": reason_form,
        },
    ]


def _task_block(engagement: Engagement, task: Task, lang: Language) -> Element:
    status = engagement.status_of(task.id)
    title = f"{STATUS_MARK[status]} {task.title.in_(lang)}"
    if task.optional:
        title += f" ({text(lang, 'task.optional')})"
    items: list[Element] = [
        paragraph(title, weight="Bolder"),
        paragraph(task.description.in_(lang), isSubtle=True, spacing="None", size="Small"),
    ]
    status_line = _status_line(engagement, task, lang)
    if status_line:
        items.append(status_line)
    items.append({"type": "ActionSet", "actions": _task_actions(status, task, lang)})
    return {
        "type": "Container",
        "separator": True,
        "spacing": "Medium",
        "id": f"task.{task.id}",
        "items": items,
    }


def phase_card(engagement: Engagement, catalog: Catalog, track: Track, lang: Language) -> Card:
    progress = engagement.progress(catalog, track)
    facts = [{"title": text(lang, "phase.goal"), "value": track.goal.in_(lang)}]
    if track.checkpoint:
        facts.append({"title": text(lang, "phase.checkpoint"), "value": track.checkpoint.in_(lang)})
    summary = text(lang, "phase.progress", settled=progress.settled, total=progress.total)
    body: list[Element] = [
        heading(track.name.in_(lang)),
        {"type": "FactSet", "facts": facts},
        paragraph(f"{progress_bar(progress.percent)} {summary}", fontType="Monospace"),
    ]
    if track.kind == "phase" and progress.complete:
        body.append(paragraph(text(lang, "phase.complete"), color="Good", weight="Bolder"))
    body += [_task_block(engagement, task, lang) for task in catalog.tasks_of(track.id)]
    return adaptive_card(body, [execute(text(lang, "action.overview"), "status.show")])
