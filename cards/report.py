"""The status report card: the period's settled tasks, what is overdue, each phase against
its target end (with the rule), required tasks nobody owns, scope changes, and the chart."""

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
    task_title,
    user_text,
)
from cards.meeting import meeting_lines
from domain.report import DAYS_PER_OPEN_TASK, ScheduleStatus, StatusReport

MAX_PER_SECTION = 8
STATUS_COLOR = {
    ScheduleStatus.DONE: "Good",
    ScheduleStatus.ON_TRACK: "Good",
    ScheduleStatus.AT_RISK: "Warning",
    ScheduleStatus.LATE: "Attention",
    ScheduleStatus.NO_TARGET: "Default",
}


def _section(title: str, lines: list[str], view: View) -> list[Element]:
    if not lines:
        return []
    shown = lines[:MAX_PER_SECTION]
    if len(lines) > MAX_PER_SECTION:
        shown.append(view.t("report.more", count=len(lines) - MAX_PER_SECTION))
    return [
        paragraph(title, weight="Bolder", spacing="Medium"),
        paragraph("\n".join(f"- {line}" for line in shown)),
    ]


def signoff_lines(report: StatusReport, view: View) -> list[str]:
    lines = []
    for phase, side, signature in report.signoffs:
        who = view.t("signoff.system") if signature.by_system else user_text(signature.by.name, 40)
        line = view.t(
            "report.signoff",
            phase=phase.name.in_(view.lang),
            side=view.t(f"signoff.side.{side.value}"),
            who=who,
            when=view.moment(signature.at),
        )
        if signature.comment:
            line += " " + view.t("signoff.comment", comment=user_text(signature.comment, 200))
        lines.append(line)
    return lines


def report_card(report: StatusReport, title: str, view: View, *, chart_url: str) -> Card:
    """`title` is the engagement's name as typed (escaped here)."""
    mentions = Mentions()
    lang = view.lang
    body: list[Element] = [
        paragraph(view.t("report.kicker"), isSubtle=True, spacing="None"),
        heading(user_text(title), size="Medium"),
        paragraph(view.t("report.period", since=view.moment(report.since)), isSubtle=True),
        paragraph(view.t("report.schedule"), weight="Bolder", spacing="Medium"),
    ]
    for phase in report.phases:
        progress = phase.progress
        line = view.t(
            "report.phase_line",
            phase=phase.phase.name.in_(lang),
            status=view.t(f"schedule.{phase.status.value}"),
            settled=progress.settled,
            total=progress.total,
            target=view.date(phase.target) if phase.target else "—",
        )
        body.append(paragraph(line, color=STATUS_COLOR[phase.status], spacing="Small"))
    body.append(
        paragraph(view.t("report.rule", days=DAYS_PER_OPEN_TASK), isSubtle=True, size="Small")
    )
    phases = {p.phase.id: p.phase for p in report.phases}
    body += meeting_lines(report.last_meeting, report.next_meeting, phases, view)
    body.append(
        {
            "type": "Image",
            "url": chart_url,
            "altText": view.t("report.chart_alt"),
            "size": "Stretch",
        }
    )
    settled = [
        f"{task_title(s.task, lang)} · {view.t(f'state.{s.status.value}')} · "
        f"{user_text(s.by.name or '?', 40)} · {view.moment(s.at)}"
        for s in report.settled
    ]
    body += _section(view.t("report.settled"), settled, view) or [
        paragraph(view.t("report.settled"), weight="Bolder", spacing="Medium"),
        paragraph(view.t("report.settled_none"), isSubtle=True),
    ]
    overdue = [
        f"{task_title(task, lang)} · "
        f"{mentions.of(owner) if owner else view.t('overview.no_owner')} · "
        f"{view.t('task.overdue', date=view.date(due))}"
        for task, owner, due in report.overdue
    ]
    body += _section(view.t("report.overdue"), overdue, view)
    body += _section(
        view.t("report.unowned"), [task_title(task, lang) for task in report.unowned], view
    )
    scope = [
        f"{task_title(c.task, lang)} · "
        f"{view.t('report.scope_in' if c.now_in_scope else 'report.scope_out')} · "
        f"{user_text(c.by.name or '?', 40)} · {view.moment(c.at)}"
        for c in report.scope_changes
    ]
    body += _section(view.t("report.scope"), scope, view)
    body += _section(view.t("report.signoffs"), signoff_lines(report, view), view)
    actions = [
        execute(view.t("action.export"), "export.show"),
        execute(view.t("action.history"), "history.show"),
        execute(view.t("action.overview"), "status.show"),
    ]
    return adaptive_card(body, actions, mentions=mentions)
