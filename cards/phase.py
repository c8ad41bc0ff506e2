"""The phase card: a phase's goal and checkpoint, then its tasks, a page at a time."""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from typing import Literal

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
    task_description,
    task_title,
    text_input,
    user_text,
)
from cards.signoff import signoff_block
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
STATUS_MARK = {
    TaskStatus.OPEN: "⬜",
    TaskStatus.DONE: "✅",
    TaskStatus.ACKNOWLEDGED: "☑️",
    TaskStatus.NOT_APPLICABLE: "➖",
}
OUT_OF_SCOPE_MARK = "⊘"

# The status change a task's buttons offer next.
Step = Literal["done", "take", "acknowledge", "reopen", "none"]


def reason_input_id(subject: str) -> str:
    """Each reason box has its own id: Teams sends every input of the card with a click."""
    return f"reason.{subject}"


def page_count(engagement: Engagement, catalog: Catalog, track: Track) -> int:
    return max(1, -(-len(engagement.tasks_of(catalog, track.id)) // PAGE_SIZE))


def page_of(engagement: Engagement, catalog: Catalog, task: Task) -> int:
    return engagement.tasks_of(catalog, task.track_id).index(task) // PAGE_SIZE


def next_step(task: Task, record: TaskRecord, in_scope: bool) -> Step:
    """Nothing for a task out of scope; a settled task reopens; a phase task gets done; a
    standing duty first gets an owner, then is acknowledged."""
    if not in_scope:
        return "none"
    if record.status is not TaskStatus.OPEN:
        return "reopen"
    if not task.duty:
        return "done"
    return "acknowledge" if record.owner else "take"


def mark(record: TaskRecord, in_scope: bool) -> str:
    return STATUS_MARK[record.status] if in_scope else OUT_OF_SCOPE_MARK


def status_line(record: TaskRecord, view: View) -> str | None:
    if record.status is TaskStatus.OPEN or not (record.changed_by and record.changed_at):
        return None
    who, when = user_text(record.changed_by.name or "?", 40), view.moment(record.changed_at)
    if record.status is TaskStatus.NOT_APPLICABLE:
        reason = user_text(record.reason or "", 120)
        return view.t("task.status.not_applicable", who=who, when=when, reason=reason)
    return view.t(f"task.status.{record.status.value}", who=who, when=when)


def task_labels(task: Task, in_scope: bool, view: View) -> list[Element]:
    """Small lines under a task's title: that a duty is not FastTrack's work, and why a task
    is out of scope."""
    labels = []
    if task.duty:
        labels.append(paragraph(view.t("task.duty"), size="Small", color="Accent", spacing="None"))
    if not in_scope:
        services = ", ".join(view.t(f"service.{s}") for s in sorted(task.services))
        labels.append(
            paragraph(
                view.t("task.out_of_scope", services=services),
                size="Small",
                color="Warning",
                spacing="None",
            )
        )
    return labels


def line_facts(record: TaskRecord, view: View, mentions: Mentions) -> list[str]:
    """Owner and due date of a task, short enough for its one line (the owner @mentioned)."""
    facts = []
    if record.owner:
        facts.append(view.t("task.owner", owner=mentions.of(record.owner)))
    if record.due:
        key = "task.overdue" if record.is_overdue(view.today) else "task.due"
        facts.append(view.t(key, date=view.date(record.due)))
    return facts


def notes_fact(record: TaskRecord, view: View) -> str | None:
    if not record.notes:
        return None
    return view.t("task.notes", count=record.notes, latest=user_text(record.last_note or "", 100))


def task_facts(record: TaskRecord, view: View, mentions: Mentions) -> list[str]:
    """Owner, due date and notes of a task, as short lines (the owner @mentioned)."""
    notes = notes_fact(record, view)
    return line_facts(record, view, mentions) + ([notes] if notes else [])


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


def primary_button(
    task: Task, step: Step, view: View, extra: dict[str, str] | None = None
) -> Element | None:
    """The one button that moves the task on (Done, Take it, Acknowledge or Reopen)."""
    target = {"task": task.id, **(extra or {})}
    if step == "done":
        return execute(view.t("action.done"), "task.done", target, style="positive")
    if step == "take":
        return execute(view.t("action.take"), "task.take", target, style="positive")
    if step == "acknowledge":
        return execute(view.t("action.acknowledge"), "task.acknowledge", target, style="positive")
    if step == "reopen":
        return execute(view.t("action.reopen"), "task.reopen", target)
    return None


def status_buttons(
    task: Task, step: Step, view: View, extra: dict[str, str] | None = None
) -> list[Element]:
    """The next step's button and, while the task is open, Not applicable."""
    primary = primary_button(task, step, view, extra)
    buttons = [primary] if primary else []
    if step in ("done", "take", "acknowledge"):
        buttons.append(not_applicable_button(task, view, extra=extra))
    return buttons


@cache
def _buttons(task: Task, lang: Language, step: Step) -> tuple[Element, ...]:
    """A task's buttons depend only on the task, the language and its next step, and are
    the bulk of a phase card: built once per process. Cards are never mutated after they
    are built, so sharing these elements between cards is safe."""
    view = View(lang, date.min, None)
    details = execute(view.t("action.details"), "task.show", {"task": task.id})
    return (*status_buttons(task, step, view), details)


def task_block(engagement: Engagement, task: Task, view: View, mentions: Mentions) -> Element:
    record = engagement.record(task.id)
    if record.owner:
        mentions.of(record.owner)  # the block names the owner; the card must carry the entity
    return _task_block(task, record, view.day(), engagement.in_scope(task))


def more_id(task: Task) -> str:
    """The id of a task's folded part, which its toggle shows and hides."""
    return f"more.{task.id}"


@lru_cache(maxsize=1024)
def _task_block(task: Task, record: TaskRecord, view: View, in_scope: bool) -> Element:
    """A task's block depends only on the task, its record, the view's day (`View.day`, not
    the click's moment) and whether it is in scope, and a click changes one task of the eight
    on a page: the others are built once and reused (cards are never mutated after they are
    built, so sharing is safe).

    One line shows the task: its status, title, owner and due date; its description, notes,
    status line and buttons are folded away until the line's toggle opens them, so that a
    phase fits on one screen."""
    title = f"{mark(record, in_scope)} {task_title(task, view.lang)}"
    if task.optional:
        title += f" ({view.t('task.optional')})"
    line_style = {"color": "Attention"} if record.is_overdue(view.today) else {}
    line = " · ".join([title, *line_facts(record, view, Mentions())])
    toggle = {
        "type": "Action.ToggleVisibility",
        "title": view.t("action.toggle_task"),
        "targetElements": [more_id(task)],
    }
    folded: list[Element] = [
        *task_labels(task, in_scope, view),
        paragraph(task_description(task, view.lang), isSubtle=True, spacing="None", size="Small"),
    ]
    status = status_line(record, view)
    if status:
        folded.append(paragraph(status, size="Small", color="Good", spacing="Small"))
    notes = notes_fact(record, view)
    if notes:
        folded.append(paragraph(notes, size="Small", spacing="Small"))
    buttons = _buttons(task, view.lang, next_step(task, record, in_scope))
    folded.append({"type": "ActionSet", "actions": list(buttons)})
    return {
        "type": "Container",
        "separator": True,
        "spacing": "Small",
        "items": [
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "verticalContentAlignment": "Center",
                        "items": [paragraph(line, **line_style)],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [{"type": "ActionSet", "actions": [toggle]}],
                    },
                ],
            },
            {"type": "Container", "id": more_id(task), "isVisible": False, "items": folded},
        ],
    }


def progress_counts(progress: TrackProgress, view: View) -> str:
    """A track's counts in one line: a phase's done, open and overdue tasks; the general
    track's acknowledged and open duties and those nobody owns; then anything out of scope."""
    if progress.track.kind == "phase":
        line = view.t(
            "overview.counts",
            settled=progress.settled,
            done=progress.done,
            na=progress.not_applicable,
            open=progress.open,
            overdue=progress.overdue,
        )
    else:
        line = view.t(
            "overview.duties",
            acknowledged=progress.acknowledged,
            open=progress.open,
            unowned=progress.unowned,
        )
    if progress.out_of_scope:
        line += " · " + view.t("overview.out_of_scope", count=progress.out_of_scope)
    return line


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
    body: list[Element] = [
        heading(track.name.in_(view.lang)),
        {"type": "FactSet", "facts": facts},
        paragraph(f"{progress_bar(progress.percent)} {summary}", fontType="Monospace"),
        paragraph(
            progress_counts(progress, view),
            isSubtle=True,
            size="Small",
            spacing="None",
            color="Attention" if progress.overdue else "Default",
        ),
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
    pages = page_count(engagement, catalog, track)
    page = min(max(page, 0), pages - 1)
    tasks = engagement.tasks_of(catalog, track.id)[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    mentions = Mentions()
    progress = engagement.progress(catalog, track, view.today)
    body = phase_header(engagement, track, view, progress)
    body += signoff_block(engagement, track, view, progress)
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
    actions.append(execute(view.t("action.add_tasks"), "own.add", {"phase": track.id}))
    if track.id in engagement.skipped_phases:
        actions.append(execute(view.t("action.undo_skip"), "phase.unskip", {"phase": track.id}))
    elif track.kind == "phase" and not progress.complete:
        actions.append(skip_button(track, view))
    return adaptive_card(body, actions, mentions=mentions)


def phase_intro_card(engagement: Engagement, catalog: Catalog, track: Track, view: View) -> Card:
    """What a phase is for and what the customer must do in it, before its task list."""
    required = [t for t in engagement.open_tasks(catalog, track) if not t.optional]
    progress = engagement.progress(catalog, track, view.today)
    body = [paragraph(view.t("intro.kicker"), isSubtle=True, spacing="None")]
    body += phase_header(engagement, track, view, progress)
    if progress.awaiting_signoff:  # its card, one click away, has the Sign off buttons
        body.append(paragraph(view.t("signoff.ready"), color="Accent", weight="Bolder"))
    if required:
        body.append(paragraph(view.t("intro.must_do"), weight="Bolder"))
        body.append(paragraph("\n".join(f"- {task_title(t, view.lang)}" for t in required)))
    if track.microsoft:
        body += [
            paragraph(view.t("intro.microsoft"), weight="Bolder"),
            paragraph("\n".join(f"- {item.in_(view.lang)}" for item in track.microsoft)),
            paragraph(view.t("intro.microsoft_source"), isSubtle=True, size="Small"),
        ]
    return adaptive_card(
        body,
        [
            execute(
                view.t("action.open_phase", phase=track.name.in_(view.lang)),
                "phase.show",
                {"phase": track.id},
                style="positive",
            ),
            execute(view.t("action.record_meeting"), "meeting.new", {"phase": track.id}),
            execute(view.t("action.overview"), "status.show"),
        ],
    )
