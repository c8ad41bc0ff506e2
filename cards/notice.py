"""Short cards that answer a request the bot could not carry out."""

from __future__ import annotations

from cards.common import Card, adaptive_card, heading, paragraph
from domain.catalog import Language
from domain.i18n import text


def error_card(lang: Language, message: str) -> Card:
    return adaptive_card(
        [heading(text(lang, "error.title"), size="Medium"), paragraph(message, color="Attention")]
    )
