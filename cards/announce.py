"""What the bot announces in the engagement channel when a phase completes or is skipped."""

from __future__ import annotations

from cards.common import Card, View, adaptive_card, execute, heading, paragraph, user_text
from cards.phase import phase_intro_card
from domain.catalog import Catalog, Track
from domain.engagement import Engagement


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
