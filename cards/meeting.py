"""The meeting log's cards: the form that records a meeting (planned or held), a meeting's
minutes, and the last and next meeting as the overview and the report show them."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

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
    text_input,
    user_text,
)
from domain.catalog import OTHER_MEETING, Catalog, Track
from domain.engagement import Engagement
from domain.meetings import (
    MAX_ACTION_ITEMS_CHARS,
    MAX_LINK_CHARS,
    MAX_MEETING_TITLE_CHARS,
    MAX_MINUTES_CHARS,
    Meeting,
    MeetingSummary,
    last_and_next,
    meeting_title,
)
from domain.own_tasks import batch_key
from domain.profile import Person
from domain.zones import UTC_NAME

# A meeting's card names this many of the tasks its action items became (the phase card
# has them all): the card stays within 28 KB.
TASKS_SHOWN = 10


def title_text(summary: MeetingSummary, track: Track, view: View, limit: int = 100) -> str:
    """The meeting's name as card markdown (the team's own name escaped)."""
    title, own = meeting_title(summary, track, view.lang)
    return user_text(title, limit) if own else title


def meeting_form_card(
    catalog: Catalog,
    track: Track,
    view: View,
    members: list[Person],
    *,
    meeting_id: str,
    form: str,
    meeting: Meeting | None = None,
) -> Card:
    """A new meeting's form, or `meeting`'s to edit (its action items are tasks already:
    the box takes more). Save carries the revision it was opened at and the form's token."""
    summary = meeting.summary if meeting else None
    zone = view.time_zone or UTC_NAME
    # A new meeting starts out as one held this hour (minutes are mostly written just after);
    # planning one ahead is a change of date and time.
    local = (summary.start if summary else view.moment_now).astimezone(ZoneInfo(zone))
    if summary is None:
        local = local.replace(minute=0, second=0, microsecond=0)
    phase = track.name.in_(view.lang)
    kinds = [{"title": k.title.in_(view.lang), "value": k.id} for k in track.meetings]
    kinds.append({"title": view.t("meeting.other"), "value": OTHER_MEETING})
    body: list[Element] = [
        heading(view.t("meeting.edit_title" if meeting else "meeting.form_title", phase=phase)),
        paragraph(view.t("meeting.intro"), isSubtle=True, size="Small"),
        {
            "type": "Input.ChoiceSet",
            "id": "kind",
            "label": view.t("meeting.kind"),
            "style": "compact",
            "value": summary.kind if summary else str(kinds[0]["value"]),
            "choices": kinds,
        },
        text_input(
            "title",
            view.t("meeting.title"),
            max_length=MAX_MEETING_TITLE_CHARS,
            value=summary.title if summary else "",
        ),
        {
            "type": "Input.Date",
            "id": "date",
            "label": view.t("meeting.date"),
            "value": local.date().isoformat(),
            "isRequired": True,
            "errorMessage": view.t("form.error.required"),
        },
        {
            "type": "Input.Time",
            "id": "time",
            "label": view.t("meeting.time", zone=zone),
            "value": f"{local:%H:%M}",
            "isRequired": True,
            "errorMessage": view.t("form.error.required"),
        },
        people_picker(
            "attendees",
            view.t("meeting.attendees"),
            members,
            ",".join(p.id for p in meeting.attendees) if meeting else "",
            multiple=True,
        ),
        _box("notes", view.t("meeting.notes"), MAX_MINUTES_CHARS, meeting.notes if meeting else ""),
        _box(
            "decisions",
            view.t("meeting.decisions"),
            MAX_MINUTES_CHARS,
            meeting.decisions if meeting else "",
        ),
        paragraph(view.t("meeting.action_format"), isSubtle=True, size="Small"),
        # A saved meeting's action items are tasks already: its box takes new ones.
        _box(
            "actionItems",
            view.t("meeting.more_action_items" if meeting else "meeting.action_items"),
            MAX_ACTION_ITEMS_CHARS,
            "",
        ),
        text_input(
            "link",
            view.t("meeting.link"),
            max_length=MAX_LINK_CHARS,
            placeholder=view.t("meeting.link_hint"),
            value=summary.link if summary else "",
        ),
    ]
    save = {
        "meeting": meeting_id,
        "seen": str(meeting.revision if meeting else 0),
        "form": form,
        "phase": track.id,
    }
    return adaptive_card(
        body,
        [
            execute(view.t("action.save_meeting"), "meeting.save", save, style="positive"),
            execute(view.t("action.open_phase", phase=phase), "phase.show", {"phase": track.id}),
        ],
    )


def _box(input_id: str, label: str, limit: int, value: str) -> Element:
    return text_input(input_id, label, max_length=limit, value=value, multiline=True)


def meeting_card(
    meeting: Meeting,
    engagement: Engagement,
    catalog: Catalog,
    view: View,
    notice: str | None = None,
) -> Card:
    """A meeting as recorded: when, who attended, notes, decisions, and the tasks its
    action items became (as they stand now)."""
    summary = meeting.summary
    track = catalog.track(summary.track_id)
    mentions = Mentions()
    state = "meeting.held" if summary.held(view.moment_now) else "meeting.planned"
    body: list[Element] = [paragraph(notice, color="Good", weight="Bolder")] if notice else []
    body += [
        paragraph(track.name.in_(view.lang), isSubtle=True, spacing="None"),
        heading(title_text(summary, track, view), size="Medium"),
        paragraph(view.t(state, when=view.moment(summary.start)), weight="Bolder"),
    ]
    none = view.t("meeting.none")
    attendees = ", ".join(user_text(p.name or p.id, 30) for p in meeting.attendees) or none
    facts = [
        (view.t("meeting.attendees"), attendees),
        (view.t("meeting.notes"), user_text(meeting.notes) or none),
        (view.t("meeting.decisions"), user_text(meeting.decisions) or none),
    ]
    for label, value in facts:
        body += [paragraph(label, weight="Bolder"), paragraph(value, spacing="None")]
    tasks = _action_tasks(engagement, meeting, view, mentions)
    if tasks:
        body += [paragraph(view.t("meeting.tasks"), weight="Bolder"), paragraph("\n".join(tasks))]
    by = user_text(meeting.recorded_by.name or meeting.recorded_by.id)
    body.append(paragraph(view.t("meeting.recorded_by", who=by), isSubtle=True, size="Small"))
    actions = _join(summary, view)
    actions += [
        execute(view.t("action.edit_meeting"), "meeting.edit", {"meeting": meeting.id}),
        execute(
            view.t("action.open_phase", phase=track.name.in_(view.lang)),
            "phase.show",
            {"phase": track.id},
        ),
        execute(view.t("action.overview"), "status.show"),
    ]
    return adaptive_card(body, actions, mentions=mentions)


def _action_tasks(
    engagement: Engagement, meeting: Meeting, view: View, mentions: Mentions
) -> list[str]:
    """The tasks the meeting's saves created (each save's batch is `<id>.<revision>`)."""
    saves = {batch_key(f"{meeting.id}.{n}") for n in range(1, meeting.revision + 1)}
    lines = []
    tasks = [t for t in engagement.own_tasks.values() if t.batch in saves and not t.removed_at]
    for own in tasks[:TASKS_SHOWN]:
        record = engagement.record(own.id)
        parts = [user_text(own.title, 60)]
        if record.owner:
            parts.append(mentions.of(record.owner))
        if record.due:
            parts.append(view.date(record.due))
        lines.append("- " + " · ".join(parts))
    if len(tasks) > TASKS_SHOWN:
        lines.append(view.t("own.more", count=len(tasks) - TASKS_SHOWN))
    return lines


def _join(summary: MeetingSummary, view: View) -> list[Element]:
    """A planned meeting's Teams link as a button (the link was checked to be one)."""
    if not summary.link or summary.held(view.moment_now):
        return []
    return [{"type": "Action.OpenUrl", "title": view.t("action.join_meeting"), "url": summary.link}]


def overview_meetings(engagement: Engagement, catalog: Catalog, view: View) -> list[Element]:
    """The overview's lines: the last meeting held and the next one planned."""
    last, upcoming = last_and_next(engagement.meetings, view.moment_now)
    return meeting_lines(last, upcoming, {t.id: t for t in catalog.phases}, view)


def meeting_lines(
    last: MeetingSummary | None,
    upcoming: MeetingSummary | None,
    phases: Mapping[str, Track],
    view: View,
) -> list[Element]:
    """The last and the next meeting, each with its button (and the next one's Teams link);
    nothing while no meeting is recorded."""
    body: list[Element] = []
    buttons: list[Element] = []
    for which, summary in (("last", last), ("next", upcoming)):
        if summary is None:
            continue
        title = title_text(summary, phases[summary.track_id], view, 60)
        when = view.moment(summary.start)
        body.append(paragraph(view.t(f"meeting.{which}", title=title, when=when)))
        data = {"meeting": summary.id}
        buttons.append(execute(view.t(f"action.open_{which}_meeting"), "meeting.show", data))
        buttons += _join(summary, view)
    if buttons:
        body.append({"type": "ActionSet", "actions": buttons})
    return body
