"""Building blocks shared by every card: the envelope, text, actions, dates and mentions.

Cards are plain dicts of Adaptive Card 1.5 JSON, the highest version Teams renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from domain.catalog import Language, Task
from domain.engagement import Engagement
from domain.i18n import text
from domain.profile import Person
from domain.zones import UTC_NAME, abbreviation

CARD_VERSION = "1.5"
Card = dict[str, Any]
Element = dict[str, Any]


class Mentions:
    """Collects the people a card @mentions; Teams notifies them when the card is posted."""

    def __init__(self) -> None:
        self._entities: dict[str, dict[str, Any]] = {}

    def of(self, person: Person) -> str:
        # Teams pairs an entity with the card text that equals its `text`; the name is escaped
        # like any user text, so it cannot close this tag or open another one.
        text = f"<at>{user_text(person.name or person.id)}</at>"
        self._entities.setdefault(
            text,
            {"type": "mention", "text": text, "mentioned": {"id": person.id, "name": person.name}},
        )
        return text

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self._entities.values())


def adaptive_card(
    body: list[Element],
    actions: list[Element] | None = None,
    *,
    mentions: Mentions | None = None,
    refresh: Element | None = None,
) -> Card:
    msteams: dict[str, Any] = {"width": "Full"}
    if mentions and mentions.entities:
        msteams["entities"] = mentions.entities
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "msteams": msteams,
    }
    if actions:
        card["actions"] = actions
    if refresh:
        card["refresh"] = refresh
    return card


def heading(text: str, *, size: str = "Large") -> Element:
    return {"type": "TextBlock", "text": text, "size": size, "weight": "Bolder", "wrap": True}


def paragraph(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def execute(title: str, verb: str, data: dict[str, Any] | None = None, **extra: Any) -> Element:
    """An Action.Execute button. Its data names what the click is about (a task, a phase, a
    page); the engagement comes from the conversation the click arrives in."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb}
    if data:
        action["data"] = data
    action.update(extra)
    return action


def show_card(title: str, body: list[Element], actions: list[Element]) -> Element:
    """A button that unfolds a small form inside the card (e.g. a reason box)."""
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": body, "actions": actions},
    }


def text_input(
    input_id: str,
    label: str,
    *,
    max_length: int,
    placeholder: str = "",
    value: str = "",
    multiline: bool = False,
    required: bool = False,
    error: str = "",
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "maxLength": max_length,
        "isMultiline": multiline,
    }
    if placeholder:
        element["placeholder"] = placeholder
    if value:
        # What the box holds is not markdown: it is shown and sent back exactly as it is, so
        # user text goes in as typed (escaped, it would show and save the backslashes).
        element["value"] = value
    if required:
        element |= {"isRequired": True, "errorMessage": error or label}
    return element


def people_picker(
    input_id: str,
    label: str,
    members: list[Person],
    value: str = "",
    required: str = "",
    *,
    multiple: bool = False,
    listed: int = 50,
) -> Element:
    """Teams' people picker, searching the people of this conversation; the static member
    list is what clients without the dynamic search show. `required`: the error message of
    a field that must be filled (Teams marks its label). `multiple`: several people, sent as
    their ids comma-separated. `listed`: how many of `members` the static list offers (Teams
    searches them all)."""
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "isMultiSelect": multiple,
        "choices": [{"title": p.name or p.id, "value": p.id} for p in members[:listed]],
        "choices.data": {
            "type": "Data.Query",
            "dataset": "graph.microsoft.com/users?scope=currentContext",
        },
    }
    if value:
        element["value"] = value
    if required:
        element |= {"isRequired": True, "errorMessage": required}
    return element


# Embedding, override and isolate controls (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): one of
# them in a name or a note reverses or reorders the bot's own text after it. The marks (LRM,
# RLM, ALM) only steer the neutral characters next to them, and right-to-left text needs
# none of these to show in its own order.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_LINE_BREAK = re.compile(r"\r\n?")
# Anywhere: links and images ([ ]), mentions, autolinks and HTML (< >), emphasis (* _), code
# (`), strikethrough (~), a character reference (&lt;at&gt; would show as <at>), and a
# backslash where it would escape what follows it (ASCII punctuation, or the bot's text
# after the end), not one in a path like C:\Temp or an "&" in R&D.
_INLINE_MARKUP = re.compile(r"[\[\]<>*_`~]|&(?=#?[0-9A-Za-z]+;)|\\(?=[!-/:-@\[-`{-~]|\Z)")
# At the start of a line: list items (- + 1. 1)), headings (# and a line of =).
_LINE_MARKER = re.compile(r"^[ \t]*(?:[-+#=]|[0-9]+[.)])", re.MULTILINE)


def user_text(value: str, limit: int | None = None) -> str:
    """Text someone typed or Teams supplied (a note, a reason, a name) as card markdown that
    shows exactly that text: no link, image, mention or formatting of its own.

    Teams renders TextBlock and Fact text as a markdown subset (bold, italic, lists, links;
    msteams-docs task-modules-and-cards/cards/cards-format.md) and turns `<at>…</at>` into a
    mention wherever it matches an entity of the card. Every character that could start
    markup is escaped with a backslash, CommonMark's escape for ASCII punctuation, which the
    desktop and web clients honour; Teams' mobile parser honours it for the link and
    emphasis characters, and where it does not, it shows the backslash but still no markup.
    Bidi controls are dropped (see above). `limit` shortens long text (before escaping, so
    an escape is never cut in half) to keep a card with many entries within Teams' size
    limit.

    Hand-written: no well-kept Python package escapes text for CommonMark (the markdown
    libraries render it, and their escape helpers are for HTML), let alone for Teams' tags.
    """
    text = _LINE_BREAK.sub("\n", value.translate(_BIDI_CONTROLS))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _INLINE_MARKUP.sub(lambda m: "\\" + m.group(), text)
    # The marker's last character is escaped: "\-", "\#", "1\.".
    return _LINE_MARKER.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], text)


def task_title(task: Task, lang: Language, limit: int | None = None) -> str:
    """A task's title as card markdown: the catalog's as written, the team's own as the
    user text it is."""
    title = task.title.in_(lang)
    return user_text(title, limit) if task.own else title


def task_description(task: Task, lang: Language) -> str:
    description = task.description.in_(lang)
    return user_text(description) if task.own else description


def progress_bar(percent: int, width: int = 10) -> str:
    filled = round(percent * width / 100)
    return "▰" * filled + "▱" * (width - filled)


def format_date(day: date, lang: Language) -> str:
    # "2026. 12. 14." would read as a numbered list in card markdown.
    return f"{day.year}년 {day.month}월 {day.day}일" if lang == "ko" else day.strftime("%d %b %Y")


def format_moment(moment: datetime, lang: Language, time_zone: str | None) -> str:
    """A date and time as people in the engagement's time zone read it, with the zone
    ("09:00 KST"): readers elsewhere must not take it for their own clock."""
    local = moment.astimezone(ZoneInfo(time_zone or UTC_NAME))
    return f"{format_date(local.date(), lang)} {local:%H:%M} {abbreviation(local)}"


@dataclass(frozen=True)
class View:
    """How a card is shown: in which language, and what 'today' is where the engagement is."""

    lang: Language
    today: date
    time_zone: str | None
    # The moment the card shows (whether a meeting is still ahead); without one, the start
    # of `today` in UTC.
    now: datetime | None = None

    @classmethod
    def of(cls, engagement: Engagement, fallback: Language, now: datetime) -> View:
        time_zone = engagement.profile.time_zone if engagement.profile else None
        return cls(engagement.language(fallback), engagement.today(now), time_zone, now)

    def day(self) -> View:
        """This view without its moment: what depends on the day only (a task's block) is
        the same for every click of that day, and is built once for it."""
        return self if self.now is None else View(self.lang, self.today, self.time_zone)

    @property
    def moment_now(self) -> datetime:
        return self.now or datetime.combine(self.today, time(), tzinfo=UTC)

    def t(self, key: str, **params: object) -> str:
        return text(self.lang, key, **params)

    def date(self, day: date) -> str:
        return format_date(day, self.lang)

    def moment(self, moment: datetime) -> str:
        return format_moment(moment, self.lang, self.time_zone)
