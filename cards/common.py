"""Building blocks shared by every card: the envelope, text blocks and actions.

Cards are plain dicts of Adaptive Card 1.5 JSON, the highest version Teams renders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.catalog import Language

CARD_VERSION = "1.5"
Card = dict[str, Any]
Element = dict[str, Any]


def adaptive_card(body: list[Element], actions: list[Element] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card


def heading(text: str, *, size: str = "Large") -> Element:
    return {"type": "TextBlock", "text": text, "size": size, "weight": "Bolder", "wrap": True}


def paragraph(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def execute(title: str, verb: str, data: dict[str, str] | None = None, **extra: Any) -> Element:
    """An Action.Execute button. Its data names only what the click is about (a task or a
    phase); the engagement always comes from the conversation the click arrives in."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb}
    if data:
        action["data"] = data
    action.update(extra)
    return action


def clip(value: str, limit: int) -> str:
    """Shortens user-written text so a card with many entries stays within Teams' size limit."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def progress_bar(percent: int, width: int = 10) -> str:
    filled = round(percent * width / 100)
    return "▰" * filled + "▱" * (width - filled)


def format_date(moment: datetime, lang: Language) -> str:
    return (
        f"{moment.year}. {moment.month}. {moment.day}."
        if lang == "ko"
        else moment.strftime("%d %b %Y")
    )
