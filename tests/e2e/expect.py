"""What the cards should say, taken from the bot's own strings and catalog so that rewording
a card does not break the end-to-end tests (only a changed meaning does)."""

from __future__ import annotations

import re
from datetime import date

from cards.common import format_date
from cards.phase import STATUS_MARK
from domain.catalog import Language, default_catalog
from domain.engagement import TaskStatus
from domain.i18n import text

CATALOG = default_catalog()
PHASES = [phase.id for phase in CATALOG.phases]


def t(lang: Language, key: str, **params: object) -> str:
    return text(lang, key, **params)


def phase_name(phase_id: str, lang: Language) -> str:
    return CATALOG.track(phase_id).name.in_(lang)


def first_task(phase_id: str, lang: Language) -> str:
    return CATALOG.tasks_of(phase_id)[0].title.in_(lang)


def task_titles(phase_id: str, lang: Language) -> list[str]:
    return [task.title.in_(lang) for task in CATALOG.tasks_of(phase_id)]


def day(value: date, lang: Language) -> str:
    """A date as the cards write it ("2026년 12월 9일" in Korean)."""
    return format_date(value, lang)


def done_by(who: str, lang: Language) -> str:
    """The start of a done task's status line ("Done · Alex Wilber · "), without the date."""
    return t(lang, "task.status.done", who=who, when="\0").split("\0", 1)[0].strip()


def done_line(title: str) -> str:
    """The start of a done task's line on a phase card ("✅ Identify the right stakeholders")."""
    return f"{STATUS_MARK[TaskStatus.DONE]} {title}"


def unfold(lang: Language) -> str:
    """The toggle that shows a task's description and buttons on a phase card."""
    return t(lang, "action.toggle_task")


def percent_after(card_text: str, name: str) -> int | None:
    """The percentage shown on an overview row: the name, then its progress bar and NN%."""
    match = re.search(rf"(?m)^\W*{re.escape(name)}\s*\n(?:\s*\n)*[^\n%]*?(\d+)%", card_text)
    return int(match.group(1)) if match else None
