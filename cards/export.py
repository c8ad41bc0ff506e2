"""The export card: signed download links for the workbook and the checklist CSV."""

from __future__ import annotations

from cards.common import Card, View, adaptive_card, heading, paragraph


def export_card(view: View, *, xlsx_url: str, csv_url: str, minutes: int) -> Card:
    body = [
        heading(view.t("export.title"), size="Medium"),
        paragraph(view.t("export.body", minutes=minutes)),
    ]
    actions = [
        {"type": "Action.OpenUrl", "title": view.t("export.xlsx"), "url": xlsx_url},
        {"type": "Action.OpenUrl", "title": view.t("export.csv"), "url": csv_url},
    ]
    return adaptive_card(body, actions)
