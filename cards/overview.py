"""The overview card: progress of every phase and of the general track, current phase first."""

from __future__ import annotations

from cards.common import Card, Element, adaptive_card, execute, heading, paragraph, progress_bar
from domain.catalog import Catalog, Language, Track
from domain.engagement import Engagement
from domain.i18n import text


def _track_row(
    engagement: Engagement, catalog: Catalog, track: Track, lang: Language, is_current: bool
) -> Element:
    progress = engagement.progress(catalog, track)
    name = track.name.in_(lang)
    return {
        "type": "Container",
        "style": "emphasis" if is_current else "default",
        "spacing": "Small",
        "selectAction": execute(
            text(lang, "action.open_phase", phase=name), "phase.show", {"phase": track.id}
        ),
        "items": [
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [paragraph(("▶ " if is_current else "") + name, weight="Bolder")],
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
                text(
                    lang,
                    "overview.counts",
                    settled=progress.settled,
                    total=progress.total,
                    open=progress.total - progress.settled,
                ),
                isSubtle=True,
                size="Small",
                spacing="None",
            ),
        ],
    }


def overview_body(engagement: Engagement, catalog: Catalog, lang: Language) -> list[Element]:
    current = engagement.current_phase(catalog)
    status_line = (
        text(lang, "overview.current", phase=current.name.in_(lang))
        if current
        else text(lang, "overview.all_done")
    )
    body: list[Element] = [
        heading(text(lang, "overview.title"), size="Medium"),
        paragraph(status_line, color="Accent" if current else "Good", weight="Bolder"),
    ]
    body += [
        _track_row(engagement, catalog, phase, lang, phase == current) for phase in catalog.phases
    ]
    body.append(_track_row(engagement, catalog, catalog.general, lang, False))
    body.append(
        paragraph(text(lang, "overview.general_note"), isSubtle=True, size="Small", spacing="None")
    )
    return body


def overview_actions(engagement: Engagement, catalog: Catalog, lang: Language) -> list[Element]:
    current = engagement.current_phase(catalog)
    actions = []
    if current:
        actions.append(
            execute(
                text(lang, "action.open_phase", phase=current.name.in_(lang)),
                "phase.show",
                {"phase": current.id},
                style="positive",
            )
        )
    general = catalog.general.name.in_(lang)
    actions.append(
        execute(
            text(lang, "action.open_phase", phase=general),
            "phase.show",
            {"phase": catalog.general.id},
        )
    )
    return actions


def overview_card(engagement: Engagement, catalog: Catalog, lang: Language) -> Card:
    return adaptive_card(
        overview_body(engagement, catalog, lang), overview_actions(engagement, catalog, lang)
    )


def welcome_card(engagement: Engagement, catalog: Catalog, lang: Language) -> Card:
    intro = [heading(text(lang, "welcome.title")), paragraph(text(lang, "welcome.body"))]
    return adaptive_card(
        intro + overview_body(engagement, catalog, lang),
        overview_actions(engagement, catalog, lang),
    )
