"""Short cards that answer a request the bot could not carry out."""

from __future__ import annotations

from cards.common import Card, adaptive_card, heading, paragraph, user_text
from domain.catalog import Language
from domain.i18n import text


def error_card(lang: Language, message: str) -> Card:
    """`message` is a plain sentence that may quote what someone typed (a phase name that
    does not exist): all of it is shown literally."""
    return adaptive_card(
        [
            heading(text(lang, "error.title"), size="Medium"),
            paragraph(user_text(message), color="Attention"),
        ]
    )
