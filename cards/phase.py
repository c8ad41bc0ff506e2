"""The phase card: a phase's goal and checkpoint, then its tasks, a page at a time."""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

from cards.common import (
    Card,
    Element,
    Mentions,
    View,
    adaptive_card,
    execute,
    heading,
    paragraph,
    progress_bar,
    show_card,
    text_input,
    user_text,
)
from domain.catalog import Catalog, Language, Task, Track
from domain.engagement import (
    MAX_REASON_CHARS,
    Engagement,
    TaskRecord,
    TaskStatus,
    TrackProgress,
)

# Eight tasks with owners, due dates and notes stay well inside Teams' card size limit;
# the 19 general responsibilities take three pages.
PAGE_SIZE = 8
STATUS_MARK = {TaskStatus.OPEN: "⬜", TaskStatus.DONE: "✅", TaskStatus.NOT_APPLICABLE: "➖"}


def reason_input_id(subject: str) -> str:
    """Each reason box has its own id: Teams sends every input of the card with a click."""
    return f"reason.{subject}"


def page_count(catalog: Catalog, track: Track) -> int:
    return max(1, -(-len(catalog.tasks_of(track.id)) // PAGE_SIZE))


def page_of(catalog: Catalog, task: Task) -> int:
    return catalog.tasks_of(task.track_id).index(task) // PAGE_SIZE


def status_line(record: TaskRecord, view: View) -> str | None:
    if record.status is TaskStatus.OPEN or not (record.changed_by and record.changed_at):
        return None
    who, when = user_text(record.changed_by.name or "?", 40), view.moment(record.changed_at)
    if record.status is TaskStatus.DONE:
        return view.t("task.status.done", who=who, when=when)
    return view.t(
        "task.status.not_applicable", who=who, when=when, reason=user_text(record.reason or "", 120)
    )


def task_facts(record: TaskRecord, view: View, mentions: Mentions) -> list[str]:
    """Owner, due date and notes of a task, as short lines (the owner @mentioned)."""
    lines = []
    if record.owner:
        lines.append(view.t("task.owner", owner=mentions.of(record.owner)))
    if record.due:
        key = "task.overdue" if record.is_overdue(view.today) else "task.due"
        lines.append(view.t(key, date=view.date(record.due)))
    if record.notes:
        lines.append(
            view.t("task.notes", count=record.notes, latest=user_text(record.last_note or "", 100))
        )
    return lines


def not_applicable_button(
    task: Task, view: View, verb: str = "task.na", extra: dict[str, str] | None = None
) -> Element:
    return show_card(
        view.t("action.not_applicable"),
        [
            text_input(
                reason_input_id(task.id),
                view.t("input.reason.label"),
                max_length=MAX_REASON_CHARS,
                placeholder=view.t("input.reason.placeholder"),
                required=True,
                error=view.t("error.reason_required"),
            )
        ],
        [
            execute(
                view.t("action.confirm_not_applicable"), verb, {"task": task.id, **(extra or {})}
            )
        ],
    )


@cache
def _buttons(task: Task, lang: Language, is_open: bool) -> tuple[Element, ...]:
    """A task's buttons depend only on the task, the language and whether it is open, and
    are the bulk of a phase card: built once per process. Cards are never mutated after
    they are built, so sharing these elements between cards is safe."""
    view = View(lang, date.min, None)
    target = {"task": task.id}
    details = execute(view.t("action.details"), "task.show", target)
    if not is_open:
        return (execute(view.t("action.reopen"), "task.reopen", target), details)
    return (
        execute(view.t("action.done"), "task.done", target, style="positive"),
        not_applicable_button(task, view),
        details,
    )


def task_block(engagement: Engagement, task: Task, view: View, mentions: Mentions) -> Element:
    record = engagement.record(task.id)
    if record.owner:
        mentions.of(record.owner)  # the block names the owner; the card must carry the entity
    return _task_block(task, record, view)


@lru_cache(maxsize=1024)
def _task_block(task: Task, record: TaskRecord, view: View) -> Element:
    """A task's block depends only on the task, its record and the view, and a click
    changes one task of the eight on a page: the others are built once and reused (cards
    are never mutated after they are built, so sharing elements between them is safe)."""
    title = f"{STATUS_MARK[record.status]} {task.title.in_(view.lang)}"
    if task.optional:
        title += f" ({view.t('task.optional')})"
    title_style = {"color": "Attention"} if record.is_overdue(view.today) else {}
    items: list[Element] = [
        paragraph(title, weight="Bolder", **title_style),
        paragraph(task.description.in_(view.lang), isSubtle=True, spacing="None", size="Small"),
    ]
    line = status_line(record, view)
    if line:
        items.append(paragraph(line, size="Small", color="Good", spacing="Small"))
    facts = task_facts(record, view, Mentions())
    if facts:
        items.append(paragraph("  \n".join(facts), size="Small", spacing="Small"))
    buttons = _buttons(task, view.lang, record.status is TaskStatus.OPEN)
    items.append({"type": "ActionSet", "actions": list(buttons)})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def phase_header(
    engagement: Engagement, track: Track, view: View, progress: TrackProgress
) -> list[Element]:
    facts = [{"title": view.t("phase.goal"), "value": track.goal.in_(view.lang)}]
    if track.checkpoint:
        facts.append(
            {"title": view.t("phase.checkpoint"), "value": track.checkpoint.in_(view.lang)}
        )
    target = engagement.profile.phase_targets.get(track.id) if engagement.profile else None
    if target:
        facts.append({"title": view.t("phase.target"), "value": view.date(target)})
    summary = view.t("phase.progress", settled=progress.settled, total=progress.total)
    if progress.overdue:
        summary += " · " + view.t("phase.overdue", count=progress.overdue)
    body: list[Element] = [
        heading(track.name.in_(view.lang)),
        {"type": "FactSet", "facts": facts},
        paragraph(f"{progress_bar(progress.percent)} {summary}", fontType="Monospace"),
    ]
    skip = engagement.skipped_phases.get(track.id)
    if skip:
        body.append(
            paragraph(
                view.t(
                    "phase.skipped",
                    who=user_text(skip.by.name, 40),
                    reason=user_text(skip.reason, 200),
                ),
                color="Warning",
            )
        )
    elif track.kind == "phase" and progress.complete:
        body.append(paragraph(view.t("phase.complete"), color="Good", weight="Bolder"))
    return body


def skip_button(track: Track, view: View) -> Element:
    return show_card(
        view.t("action.skip_phase"),
        [
            paragraph(view.t("phase.skip_note"), isSubtle=True, size="Small"),
            text_input(
                reason_input_id(track.id),
                view.t("input.skip_reason.label"),
                max_length=MAX_REASON_CHARS,
                required=True,
                error=view.t("error.reason_required"),
            ),
        ],
        [execute(view.t("action.confirm_skip"), "phase.skip", {"phase": track.id})],
    )


def phase_card(
    engagement: Engagement, catalog: Catalog, track: Track, view: View, page: int = 0
) -> Card:
    pages = page_count(catalog, track)
    page = min(max(page, 0), pages - 1)
    tasks = catalog.tasks_of(track.id)[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    mentions = Mentions()
    progress = engagement.progress(catalog, track, view.today)
    body = phase_header(engagement, track, view, progress)
    if pages > 1:
        body.append(paragraph(view.t("phase.page", page=page + 1, pages=pages), isSubtle=True))
    body += [task_block(engagement, task, view, mentions) for task in tasks]
    actions: list[Element] = []
    if page > 0:
        actions.append(
            execute(
                view.t("action.previous"), "phase.show", {"phase": track.id, "page": str(page - 1)}
            )
        )
    if page < pages - 1:
        actions.append(
            execute(view.t("action.more"), "phase.show", {"phase": track.id, "page": str(page + 1)})
        )
    actions.append(execute(view.t("action.overview"), "status.show"))
    if track.kind == "phase" and not progress.complete:
        actions.append(skip_button(track, view))
    return adaptive_card(body, actions, mentions=mentions)


def phase_intro_card(engagement: Engagement, catalog: Catalog, track: Track, view: View) -> Card:
    """What a phase is for and what the customer must do in it, before its task list."""
    required = [t for t in engagement.open_tasks(catalog, track) if not t.optional]
    body = [paragraph(view.t("intro.kicker"), isSubtle=True, spacing="None")]
    body += phase_header(engagement, track, view, engagement.progress(catalog, track, view.today))
    if required:
        body.append(paragraph(view.t("intro.must_do"), weight="Bolder"))
        body.append(paragraph("\n".join(f"- {t.title.in_(view.lang)}" for t in required)))
    return adaptive_card(
        body,
        [
            execute(
                view.t("action.open_phase", phase=track.name.in_(view.lang)),
                "phase.show",
                {"phase": track.id},
                style="positive",
            ),
            execute(view.t("action.overview"), "status.show"),
        ],
    )
