"""A person's team engagements in their personal chat: the list under their own overview (or
welcome), and one of them opened there, read-only (its buttons would act on the personal
chat's own engagement: the activity, never card data, says which engagement a click is on)."""

from __future__ import annotations

from cards.common import (
    Card,
    Element,
    Mentions,
    View,
    adaptive_card,
    execute,
    paragraph,
    user_text,
)
from cards.overview import overview_body
from domain.catalog import Catalog
from domain.engagement import Engagement
from domain.profile import Person

# Engagements listed at most; the card stays far below Teams' 28 KB.
MAX_LISTED = 10


class PlainNames(Mentions):
    """Names people without @mentioning them: a card shown outside their conversation."""

    def of(self, person: Person) -> str:
        return user_text(person.name or person.id)


def _entry(engagement: Engagement, catalog: Catalog, view: View) -> Element:
    name = user_text(engagement.profile.name) if engagement.profile else view.t("mytasks.unnamed")
    kind = view.t(
        "teams.channel" if engagement.conversation_type == "channel" else "teams.group_chat"
    )
    current = engagement.current_phase(catalog)
    where = (
        view.t("overview.current", phase=current.name.in_(view.lang))
        if current
        else view.t("overview.all_done")
    )
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {
                "type": "Column",
                "width": "stretch",
                "verticalContentAlignment": "Center",
                "items": [
                    paragraph(name, weight="Bolder"),
                    paragraph(f"{kind} · {where}", isSubtle=True, size="Small", spacing="None"),
                ],
            },
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "Center",
                "items": [
                    {
                        "type": "ActionSet",
                        "actions": [
                            execute(
                                view.t("teams.open"),
                                "engagement.open",
                                {"engagement": engagement.id},
                            )
                        ],
                    }
                ],
            },
        ],
    }


def with_team_engagements(
    card: Card, engagements: list[Engagement], catalog: Catalog, view: View
) -> Card:
    """`card` (the personal chat's overview or welcome) with the list below its body."""
    if not engagements:
        return card
    listed = [_entry(e, catalog, view) for e in engagements[:MAX_LISTED]]
    if len(engagements) > MAX_LISTED:
        more = view.t("teams.more", count=len(engagements) - MAX_LISTED)
        listed.append(paragraph(more, isSubtle=True, size="Small"))
    section: Element = {
        "type": "Container",
        "separator": True,
        "spacing": "Large",
        "items": [paragraph(view.t("teams.title"), weight="Bolder"), *listed],
    }
    return {**card, "body": [*card["body"], section]}


def team_overview_card(engagement: Engagement, catalog: Catalog, view: View) -> Card:
    """A team engagement's overview in a personal chat: what its channel's shows, without
    buttons that would act on the personal chat's engagement."""
    body = [paragraph(view.t("teams.opened"), isSubtle=True, size="Small")]
    body += overview_body(engagement, catalog, view, PlainNames(), interactive=False)
    actions = [
        execute(view.t("mytasks.title"), "mytasks.show"),
        execute(view.t("action.my_progress"), "status.show"),
    ]
    return adaptive_card(body, actions)
