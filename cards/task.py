"""The task card: one task in full, with its notes and the forms to change it."""

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
    people_picker,
    task_description,
    task_title,
    text_input,
    user_text,
)
from cards.phase import (
    next_step,
    not_applicable_button,
    page_of,
    status_buttons,
    status_line,
    task_facts,
    task_labels,
)
from domain.catalog import Catalog, Task
from domain.engagement import MAX_NOTE_CHARS, Engagement
from domain.notes import Note
from domain.profile import Person

NOTES_SHOWN = 5


def task_card(
    engagement: Engagement,
    catalog: Catalog,
    task: Task,
    view: View,
    *,
    notes: list[Note],
    members: list[Person],
    notice: str | None = None,
) -> Card:
    mentions = Mentions()
    record = engagement.record(task.id)
    in_scope = engagement.in_scope(task)
    track = catalog.track(task.track_id)
    # What the last Save changed, first, where the reader looks.
    body: list[Element] = [paragraph(notice, color="Good", weight="Bolder")] if notice else []
    body += [
        paragraph(track.name.in_(view.lang), isSubtle=True, spacing="None"),
        heading(task_title(task, view.lang), size="Medium"),
        *task_labels(task, in_scope, view),
        paragraph(task_description(task, view.lang)),
    ]
    line = status_line(record, view)
    if line:
        body.append(paragraph(line, color="Good"))
    facts = task_facts(record, view, mentions)
    if facts:
        body.append(paragraph("  \n".join(facts)))
    if notes:
        body.append(paragraph(view.t("task.notes_heading"), weight="Bolder"))
        for note in notes[-NOTES_SHOWN:]:
            body.append(
                paragraph(
                    f"**{user_text(note.author.name, 40)}** · {view.moment(note.at)}  \n"
                    f"{user_text(note.text, MAX_NOTE_CHARS)}",
                    size="Small",
                    separator=True,
                )
            )
    # Every button here answers with this card again, so the reader stays on the task. Teams
    # sends every input with any button: one Save applies all the fields that changed.
    target = {"task": task.id, "view": "task"}
    body += [
        people_picker(
            "owner",
            view.t("input.owner.label"),
            members,
            value=record.owner.id if record.owner else "",
        ),
        {
            "type": "Input.Date",
            "id": "due",
            "label": view.t("input.due.label"),
            **({"value": record.due.isoformat()} if record.due else {}),
        },
        text_input("note", view.t("input.note.label"), max_length=MAX_NOTE_CHARS, multiline=True),
        paragraph(view.t("task.form_hint"), isSubtle=True, size="Small", spacing="None"),
        {
            "type": "ActionSet",
            "actions": [
                execute(view.t("action.save_task"), "task.save", target, style="positive"),
                execute(view.t("action.take"), "task.take", target),
            ],
        },
    ]
    step = next_step(task, record, in_scope)
    status_actions = (
        # The owner controls above are how an unowned duty gets its owner here.
        [not_applicable_button(task, view, extra={"view": "task"})]
        if step == "take"
        else status_buttons(task, step, view, extra={"view": "task"})
    )
    back = execute(
        view.t("action.back_to_phase", phase=track.name.in_(view.lang)),
        "phase.show",
        {"phase": track.id, "page": str(page_of(engagement, catalog, task))},
    )
    history = execute(view.t("action.history"), "history.show", {"task": task.id})
    # The engagement's own tasks can be edited and removed (and restored); the catalog's can't.
    remove = [
        execute(view.t("action.edit_task"), "own.edit", {"task": task.id}),
        execute(view.t("action.remove_task"), "own.remove", {"task": task.id}),
    ]
    actions = [*status_actions, history, back, *(remove if task.own else [])]
    return adaptive_card(body, actions, mentions=mentions)
