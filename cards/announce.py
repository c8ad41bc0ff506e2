"""What the bot announces in the engagement channel when a phase completes or is skipped."""

from __future__ import annotations

from cards.common import (
    Card,
    View,
    adaptive_card,
    execute,
    heading,
    paragraph,
    task_title,
    user_text,
)
from cards.phase import phase_intro_card
from domain.catalog import Catalog, Track
from domain.engagement import AuditEntry, Change, Engagement


def phase_completed_card(
    engagement: Engagement, catalog: Catalog, completed: Track, view: View
) -> Card:
    """The completion, then the next phase's introduction, so the team knows what comes next."""
    headline = [
        heading(
            view.t("announce.phase_complete", phase=completed.name.in_(view.lang)), size="Medium"
        ),
    ]
    following = engagement.current_phase(catalog)
    if following is None:
        headline.append(paragraph(view.t("overview.all_done"), color="Good"))
        return adaptive_card(headline, [execute(view.t("action.overview"), "status.show")])
    intro = phase_intro_card(engagement, catalog, following, view)
    return {**intro, "body": headline + intro["body"]}


def phase_skipped_card(
    engagement: Engagement, catalog: Catalog, skipped: Track, view: View
) -> Card:
    """A skip, said as a skip, with its undo. The next phase is introduced only when the
    skip moved the engagement on to it (skipping a later phase changes nothing now)."""
    skip = engagement.skipped_phases[skipped.id]
    body = [
        heading(view.t("announce.skipped", phase=skipped.name.in_(view.lang)), size="Medium"),
        paragraph(
            view.t(
                "announce.phase_skipped",
                who=user_text(skip.by.name, 40),
                reason=user_text(skip.reason, 200),
            ),
            isSubtle=True,
        ),
    ]
    actions = [
        execute(view.t("action.undo_skip"), "phase.unskip", {"phase": skipped.id}),
        execute(view.t("action.overview"), "status.show"),
    ]
    following = engagement.current_phase(catalog)
    if following is None or catalog.phases.index(following) < catalog.phases.index(skipped):
        return adaptive_card(body, actions)
    intro = phase_intro_card(engagement, catalog, following, view)
    return {**intro, "body": body + intro["body"], "actions": [*intro["actions"], actions[0]]}


def phase_reopened_card(
    engagement: Engagement, catalog: Catalog, phase: Track, view: View, cause: AuditEntry
) -> Card:
    """A signed phase back in progress, and why: the task reopened or added, or the settings."""
    who = user_text(cause.actor.name or cause.actor.id, 40)
    task = engagement.find_task(catalog, cause.subject)
    if task is not None and cause.change in (Change.STATUS, Change.TASK):
        why = view.t(
            f"announce.reopened.{cause.change.value}", who=who, task=task_title(task, view.lang, 80)
        )
    else:
        why = view.t("announce.reopened.other", who=who)
    body = [
        heading(view.t("announce.reopened", phase=phase.name.in_(view.lang)), size="Medium"),
        paragraph(why),
    ]
    actions = [
        execute(
            view.t("action.open_phase", phase=phase.name.in_(view.lang)),
            "phase.show",
            {"phase": phase.id},
        ),
        execute(view.t("action.overview"), "status.show"),
    ]
    return adaptive_card(body, actions)
