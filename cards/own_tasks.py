"""The cards of the engagement's own tasks: the checklist form (with what a check found),
the form that edits one task, and the notice after a removal, with its undo."""

from __future__ import annotations

from cards.common import (
    Card,
    Element,
    View,
    adaptive_card,
    execute,
    heading,
    paragraph,
    text_input,
    user_text,
)
from domain.catalog import Catalog, Task, Track
from domain.own_tasks import (
    MAX_CHECKLIST_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_TITLE_CHARS,
    Checklist,
    OwnTask,
)

# A checked list longer than this is not carried back in the form (it is kept server-side):
# at 6 bytes a character (JSON's escapes of Hangul), 9 KB of the card's 28 KB.
ECHO_CHARS = 1_500
# A preview names this many tasks and counts the rest: the card stays small at 300 lines.
PREVIEW_ITEMS = 15
ERRORS_SHOWN = 15


def add_tasks_card(
    catalog: Catalog,
    track: Track,
    view: View,
    *,
    lines: str = "",
    checked: Checklist | None = None,
    batch: str | None = None,
    notice: str | None = None,
) -> Card:
    """The form: the phase and the lines. After a check, what it found: the lines it could
    not read, or the tasks it will create, with the button that creates them."""
    body: list[Element] = [
        heading(view.t("own.title"), size="Medium"),
        paragraph(view.t("own.format"), isSubtle=True, size="Small"),
        {
            "type": "Input.ChoiceSet",
            "id": "phase",
            "label": view.t("own.phase"),
            "style": "compact",
            "value": track.id,
            "choices": [{"title": t.name.in_(view.lang), "value": t.id} for t in catalog.tracks],
        },
        text_input(
            "lines",
            view.t("own.lines"),
            max_length=MAX_CHECKLIST_CHARS,
            value=lines,
            multiline=True,
        ),
    ]
    if notice:
        body.append(paragraph(notice, color="Attention"))
    actions: list[Element] = [execute(view.t("action.check_tasks"), "own.check")]
    if checked is not None and batch is not None:
        body += _findings(checked, track, view)
        count = str(len(checked.items))
        if checked.items:
            key = "action.create_valid_tasks" if checked.errors else "action.create_tasks"
            data = {"batch": batch, "count": count, "valid_only": "1" if checked.errors else ""}
            actions.insert(
                0, execute(view.t(key, count=count), "own.create", data, style="positive")
            )
    actions.append(
        execute(
            view.t("action.open_phase", phase=track.name.in_(view.lang)),
            "phase.show",
            {"phase": track.id},
        )
    )
    return adaptive_card(body, actions)


def _findings(checked: Checklist, track: Track, view: View) -> list[Element]:
    found: list[Element] = []
    if checked.errors:
        lines = [
            view.t(
                "own.line",
                line=e.line,
                problem=view.t(f"checklist.error.{e.code}"),
                text=user_text(e.text, 40),
            )
            for e in checked.errors[:ERRORS_SHOWN]
        ]
        if len(checked.errors) > ERRORS_SHOWN:
            lines.append(view.t("own.more", count=len(checked.errors) - ERRORS_SHOWN))
        found += [
            paragraph(view.t("own.errors"), color="Attention", weight="Bolder"),
            paragraph("  \n".join(lines), size="Small"),
        ]
    if checked.items:
        phase = track.name.in_(view.lang)
        titles = [f"- {user_text(i.title, 80)}" for i in checked.items[:PREVIEW_ITEMS]]
        if len(checked.items) > PREVIEW_ITEMS:
            titles.append(view.t("own.more", count=len(checked.items) - PREVIEW_ITEMS))
        found += [
            paragraph(view.t("own.preview", count=len(checked.items), phase=phase)),
            paragraph("\n".join(titles), size="Small"),
        ]
    return found


def edit_task_card(own: OwnTask, view: View) -> Card:
    """The title and description as they are (inputs hold text as typed); Save carries the
    fingerprint of that text, so a form opened before another edit cannot overwrite it."""
    body: list[Element] = [
        heading(view.t("own.edit_title"), size="Medium"),
        text_input(
            "title",
            view.t("own.edit_name"),
            max_length=MAX_TITLE_CHARS,
            value=own.title,
            required=True,
        ),
        text_input(
            "description",
            view.t("own.edit_description"),
            max_length=MAX_DESCRIPTION_CHARS,
            value=own.description,
            multiline=True,
        ),
    ]
    save = {"task": own.id, "seen": own.fingerprint}
    return adaptive_card(
        body,
        [
            execute(view.t("action.save_edit"), "own.save", save, style="positive"),
            execute(view.t("action.details"), "task.show", {"task": own.id}),
        ],
    )


def removed_card(task: Task, track: Track, view: View) -> Card:
    title = user_text(task.title.in_(view.lang), 80)
    return adaptive_card(
        [paragraph(view.t("own.removed", task=title))],
        [
            execute(view.t("action.restore_task"), "own.restore", {"task": task.id}),
            execute(
                view.t("action.open_phase", phase=track.name.in_(view.lang)),
                "phase.show",
                {"phase": track.id},
            ),
        ],
    )
