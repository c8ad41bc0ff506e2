"""The help card: every command, in the reader's language."""

from __future__ import annotations

from cards.common import Card, adaptive_card, heading, paragraph
from dialogs.commands import COMMANDS
from domain.catalog import Language
from domain.i18n import text


def help_card(lang: Language, *, unknown_text: bool = False) -> Card:
    facts = [{"title": spec.title[lang], "value": spec.description[lang]} for spec in COMMANDS]
    intro = text(lang, "help.unknown" if unknown_text else "help.intro")
    return adaptive_card(
        [
            heading(text(lang, "help.title"), size="Medium"),
            paragraph(intro),
            {"type": "FactSet", "facts": facts},
        ]
    )
