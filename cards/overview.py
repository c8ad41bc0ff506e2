"""The overview card: progress of every phase and of the general track, and what to do next."""

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
    progress_bar,
    task_title,
    user_text,
)
from cards.meeting import overview_meetings
from cards.phase import progress_counts
from cards.signoff import roles_and_awaiting
from domain.catalog import Catalog, Track
from domain.engagement import Engagement


def _track_row(
    engagement: Engagement,
    catalog: Catalog,
    track: Track,
    view: View,
    is_current: bool,
    interactive: bool,
) -> Element:
    progress = engagement.progress(catalog, track, view.today)
    name = track.name.in_(view.lang)
    counts = progress_counts(progress, view)
    if progress.skipped:
        counts += " · " + view.t("overview.skipped")
    elif progress.awaiting_signoff:
        counts += " · " + view.t("overview.awaiting_mark")
    row: Element = {
        "type": "Container",
        "style": "emphasis" if is_current else "default",
        "spacing": "Small",
        "items": [
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [
                            paragraph(
                                ("▶ " if is_current else "") + name,
                                weight="Bolder",
                                color="Accent" if is_current else "Default",
                            )
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [
                            paragraph(
                                f"{progress_bar(progress.percent)} {progress.percent}%",
                                fontType="Monospace",
                            )
                        ],
                    },
                ],
            },
            paragraph(
                counts,
                isSubtle=True,
                size="Small",
                spacing="None",
                color="Attention" if progress.overdue else "Default",
            ),
        ],
    }
    if interactive:
        row["selectAction"] = execute(
            view.t("action.open_phase", phase=name), "phase.show", {"phase": track.id}
        )
    return row


def _next_up(
    engagement: Engagement, catalog: Catalog, view: View, mentions: Mentions
) -> list[Element]:
    """The current phase's next tasks, then how many standing duties nobody owns yet (they
    are never 'next': they run for the whole engagement)."""
    unowned = engagement.progress(catalog, catalog.general).unowned
    duties = [paragraph(view.t("overview.duties_unowned", count=unowned))] if unowned else []
    tasks = engagement.next_up(catalog, view.today)
    if not tasks:
        return duties
    lines = []
    for task in tasks:
        record = engagement.record(task.id)
        owner = mentions.of(record.owner) if record.owner else view.t("overview.no_owner")
        line = f"- {task_title(task, view.lang)} · {owner}"
        if record.due:
            key = "task.overdue" if engagement.is_overdue(task.id, view.today) else "task.due"
            line += " · " + view.t(key, date=view.date(record.due))
        lines.append(line)
    return [
        paragraph(view.t("overview.next_up"), weight="Bolder"),
        paragraph("\n".join(lines)),
        *duties,
    ]


def overview_body(
    engagement: Engagement,
    catalog: Catalog,
    view: View,
    mentions: Mentions,
    *,
    interactive: bool = True,
) -> list[Element]:
    """`interactive`: each phase's row opens it (not where the rows' verbs would act on
    another conversation's engagement)."""
    current = engagement.current_phase(catalog)
    title = user_text(engagement.profile.name) if engagement.profile else view.t("overview.title")
    status_line = (
        view.t("overview.current", phase=current.name.in_(view.lang))
        if current
        else view.t("overview.all_done")
    )
    body: list[Element] = [
        heading(title, size="Medium"),
        paragraph(status_line, color="Accent" if current else "Good", weight="Bolder"),
    ]
    body += roles_and_awaiting(engagement, catalog, view)
    body += [
        _track_row(engagement, catalog, phase, view, phase == current, interactive)
        for phase in catalog.phases
    ]
    body.append(_track_row(engagement, catalog, catalog.general, view, False, interactive))
    body.append(
        paragraph(view.t("overview.general_note"), isSubtle=True, size="Small", spacing="None")
    )
    body += _next_up(engagement, catalog, view, mentions)
    return body + overview_meetings(engagement, catalog, view)


def overview_actions(engagement: Engagement, catalog: Catalog, view: View) -> list[Element]:
    current = engagement.current_phase(catalog)
    actions = []
    if current:
        actions.append(
            execute(
                view.t("action.open_phase", phase=current.name.in_(view.lang)),
                "phase.show",
                {"phase": current.id},
                style="positive",
            )
        )
    actions.append(
        execute(
            view.t("action.open_phase", phase=catalog.general.name.in_(view.lang)),
            "phase.show",
            {"phase": catalog.general.id},
        )
    )
    actions.append(execute(view.t("action.report"), "report.show"))
    actions.append(execute(view.t("action.settings"), "setup.show"))
    if engagement.nudges_paused:
        actions.append(execute(view.t("action.resume_nudges"), "nudge.resume"))
    return actions


def overview_card(
    engagement: Engagement, catalog: Catalog, view: View, notices: list[str] | None = None
) -> Card:
    """`notices` are one-off messages shown on top (e.g. that setup was saved)."""
    mentions = Mentions()
    warnings = []
    if engagement.unreachable:
        warnings.append(view.t("status.unreachable"))
    if engagement.nudges_paused:
        warnings.append(view.t("status.paused"))
    # What the click did, in the colour of success; what stands in the way, as a warning.
    body = [paragraph(n, color="Good", weight="Bolder") for n in notices or []]
    body += [paragraph(n, color="Warning", weight="Bolder") for n in warnings]
    body += overview_body(engagement, catalog, view, mentions)
    return adaptive_card(body, overview_actions(engagement, catalog, view), mentions=mentions)


def welcome_card(engagement: Engagement, catalog: Catalog, view: View) -> Card:
    mentions = Mentions()
    intro = [heading(view.t("welcome.title")), paragraph(view.t("welcome.body"))]
    setup = {
        "type": "ActionSet",
        "actions": [execute(view.t("action.setup"), "setup.show", style="positive")],
    }
    body = [*intro, paragraph(view.t("welcome.setup")), setup]
    body += overview_body(engagement, catalog, view, mentions)
    return adaptive_card(body, overview_actions(engagement, catalog, view), mentions=mentions)


def with_setup_offer(card: Card, view: View) -> Card:
    """Until the engagement is set up, every answer offers the setup form on top."""
    offer: Element = {
        "type": "Container",
        "style": "warning",
        "items": [
            paragraph(view.t("setup.offer"), weight="Bolder"),
            {
                "type": "ActionSet",
                "actions": [execute(view.t("action.setup"), "setup.show", style="positive")],
            },
        ],
    }
    return {**card, "body": [offer, *card["body"]]}
