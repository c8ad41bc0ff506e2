"""Issue 15 item 4: text people typed or Teams supplied never becomes markup in a card.

Every card is rendered twice from engagements that differ only in their user text: once with
plain words, once with an attack in every field a person or Teams fills in (the engagement
name, display names, notes, not-applicable and skip reasons, every setup form field, a phase
name typed into a command). The bot's own templates are the same in both, so the markup a
card carries (unescaped link, image, mention, emphasis, list and heading characters, as
Teams' markdown reads them) must be the same in both: the attack adds none. On top of that,
the mentions in the attacked cards are exactly the bot's own: every `<at>…</at>` in the card
text is the text of a mention entity the bot made for a real member, and the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.announce import phase_completed_card, phase_skipped_card
from cards.common import Mentions, View, user_text
from cards.help import help_card
from cards.mytasks import OwnedTask, my_tasks_card
from cards.notice import error_card
from cards.nudge import nudge_card
from cards.overview import overview_card, welcome_card, with_setup_offer
from cards.phase import page_count, phase_card, phase_intro_card
from cards.setup import form_values, setup_card
from cards.task import task_card
from domain.catalog import LANGUAGES, Language, default_catalog
from domain.engagement import Actor, Engagement, EngagementKey, TaskStatus
from domain.i18n import STRINGS, text
from domain.notes import Note
from domain.profile import Channel, NudgeSchedule, Person, Profile

CATALOG = default_catalog()
AT = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 29)
# A real member whom the bot mentions as the owner of every other task: the attacks try to
# mention her from user text, where Teams would notify her as if the bot had.
ALICE = Person("aad-alice", "Alice Admin")

# Each attack, and what user_text makes of it (what the card carries; Teams shows the text
# with the backslashes taken away, i.e. the attack as typed, as plain text).
ATTACKS = {
    "link": (
        "[Reset your password](https://evil.example)",
        r"\[Reset your password\](https://evil.example)",
    ),
    "image": ("![](https://evil.example/p.png)", r"!\[\](https://evil.example/p.png)"),
    "autolink": ("<https://evil.example/login>", r"\<https://evil.example/login\>"),
    "reference link": (
        "[Sign in]\n\n[Sign in]: https://evil.example",
        "\\[Sign in\\]\n\n\\[Sign in\\]: https://evil.example",
    ),
    "mention": ("<at>Alice Admin</at>", r"\<at\>Alice Admin\</at\>"),
    "mention spoof": ("x</at><at>Alice Admin", r"x\</at\>\<at\>Alice Admin"),
    "character reference": (
        "&lt;at&gt;Alice Admin&lt;/at&gt;",
        r"\&lt;at\&gt;Alice Admin\&lt;/at\&gt;",
    ),
    "html": ('<img src="https://evil.example/p.png">', r'\<img src="https://evil.example/p.png"\>'),
    "own escapes": (
        r"\\[Sign in](https://evil.example)" + "\\",
        r"\\\\\[Sign in\](https://evil.example)\\",
    ),
    "formatting": (
        "**urgent** _now_ `code` ~~old~~\n- item\n+ item\n2) two\n10. ten\n# Heading\n> quote\n===",
        r"\*\*urgent\*\* \_now\_ \`code\` \~\~old\~\~" + "\n"
        r"\- item" + "\n"
        r"\+ item" + "\n"
        r"2\) two" + "\n"
        r"10\. ten" + "\n"
        r"\# Heading" + "\n"
        r"\> quote" + "\n"
        r"\===",
    ),
    "bidi override": ("\u202eevil.exe\u202c and \u2067txt\u2069", "evil.exe and txt"),
}
PLAIN = "Plain words"


def _engagement(user: str) -> tuple[Engagement, Actor, Person]:
    """An engagement where every piece of user text is `user`: the name, the manager's and an
    owner's display names, every note and reason; half the tasks owned by Alice."""
    actor = Actor("29:actor", user, "aad-actor")
    owner = Person("aad-owner", user)
    engagement = Engagement(EngagementKey("t", "c"), "channel", AT, installed_by=actor)
    engagement.profile = Profile(
        name=user,
        services=frozenset({"intune"}),
        kickoff=date(2026, 11, 1),
        phase_targets={p.id: date(2027, 1, 1) for p in CATALOG.phases},
        project_manager=actor.person,
        time_zone="Asia/Seoul",
        language="en",
        schedule=NudgeSchedule(),
    )
    change = {"actor": actor, "at": AT}
    for i, task in enumerate(CATALOG.tasks):
        engagement.assign_owner(
            CATALOG, task_id=task.id, owner=ALICE if i % 2 else owner, op_id=f"o{i}", **change
        )
        engagement.set_due(
            CATALOG, task_id=task.id, due=TODAY - timedelta(days=3), op_id=f"d{i}", **change
        )
        engagement.note_added(CATALOG, task_id=task.id, text=user, op_id=f"n{i}", **change)
        settled = TaskStatus.ACKNOWLEDGED if task.duty else TaskStatus.DONE
        status = [TaskStatus.OPEN, settled, TaskStatus.NOT_APPLICABLE][i % 3]
        if not engagement.in_scope(task):  # its status is the scope's: nothing to set
            continue
        engagement.set_task_status(
            CATALOG, task_id=task.id, status=status, reason=user, op_id=f"s{i}", **change
        )
    engagement.skip_phase(CATALOG, phase_id="initiate", reason=user, op_id="skip", **change)
    return engagement, actor, owner


def every_card(user: str, lang: Language) -> Iterator[tuple[str, dict[str, Any]]]:
    engagement, actor, owner = _engagement(user)
    view = View(lang, TODAY, "Asia/Seoul")
    members = [ALICE, owner, actor.person]
    yield "help", help_card(lang)
    yield "notice", error_card(lang, text(lang, "error.unknown_track", name=user))
    form = dict.fromkeys(form_values(engagement.profile, view), user)
    channels = [Channel("19:general", ""), Channel("19:other", user)]
    yield "setup", setup_card(CATALOG, view, values=form, members=members, channels=channels)
    errors = dict.fromkeys(form, "bad_choice")
    yield (
        "setup-errors",
        setup_card(CATALOG, view, values=form, members=members, channels=channels, errors=errors),
    )
    yield "welcome", welcome_card(engagement, CATALOG, view)
    overview = overview_card(engagement, CATALOG, view, notices=[text(lang, "setup.saved")])
    yield "overview", with_setup_offer(overview, view)
    for track in CATALOG.tracks:
        for page in range(page_count(engagement, CATALOG, track)):
            yield f"phase-{track.id}-{page}", phase_card(engagement, CATALOG, track, view, page)
        yield f"intro-{track.id}", phase_intro_card(engagement, CATALOG, track, view)
    for phase in CATALOG.phases:
        yield f"announce-{phase.id}", phase_completed_card(engagement, CATALOG, phase, view)
    yield "skipped", phase_skipped_card(engagement, CATALOG, CATALOG.track("initiate"), view)
    notes = [Note(task.id, actor, AT, user) for task in CATALOG.tasks[:3]]
    for task in CATALOG.tasks[:3]:  # open, done, not applicable
        yield (
            f"task-{task.id}",
            task_card(engagement, CATALOG, task, view, notes=notes, members=members),
        )
    owned = [OwnedTask(engagement, task, True) for task in CATALOG.tasks]
    yield "mytasks", my_tasks_card(owned, CATALOG, view, owner_name=user)
    yield (
        "mytasks-private",
        my_tasks_card([], CATALOG, view, owner_name=user, refresh_for=actor.id),
    )
    digest = engagement.digest(CATALOG, AT)
    assert digest.overdue and digest.unowned == []
    yield "nudge", nudge_card(engagement, CATALOG, digest, view)


# Reading card text as Teams' markdown does --------------------------------------------------

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
INLINE_MARKUP = set("[]<>*_`~")
ENTITY = re.compile(r"#?[0-9A-Za-z]+;")
LINE_MARKER = re.compile(r"[ \t]*([-+#=>*]|[0-9]+[.)])")


def _read(markdown: str) -> list[tuple[str, bool]]:
    """The characters as CommonMark reads them: (character, escaped by a backslash)."""
    chars: list[tuple[str, bool]] = []
    i = 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in ASCII_PUNCTUATION:
            chars.append((markdown[i + 1], True))
            i += 2
        else:
            chars.append((markdown[i], False))
            i += 1
    return chars


def shown(markdown: str) -> str:
    """What a reader sees of the text (the escaping backslashes taken away)."""
    return "".join(c for c, _ in _read(markdown))


def markup(markdown: str) -> list[str]:
    """Every piece of markup in the text: unescaped link, image, mention, HTML, emphasis and
    code characters, character references, and list, heading and quote markers."""
    found = []
    for line in re.split(r"\r\n?|\n", markdown):
        chars = _read(line)
        plain = "".join(c if not escaped else "\0" for c, escaped in chars)
        marker = LINE_MARKER.match(plain)
        if marker:
            found.append(f"line {marker.group(1)}")
        for i, (c, escaped) in enumerate(chars):
            if escaped:
                continue
            if c in INLINE_MARKUP:
                found.append(c)
            elif c == "&" and ENTITY.match(plain, i + 1):
                found.append("&")
    return found


def mention_spans(markdown: str) -> list[str]:
    """The `<at>…</at>` spans in the text as Teams finds them: from `<at>` to the next
    `</at>`, as written (Teams pairs a span with the entity of the same text; it does not
    read markdown escapes, and escaped brackets, `\\<at\\>`, are no tag to it)."""
    return re.findall(r"<at>.*?</at>", markdown, re.DOTALL)


# Which strings of a card are markdown ---------------------------------------------------------


def markdown_strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a card that Teams reads as markdown or matches mentions in, by path.

    Left out, because Teams shows them as plain text and they must hold user text as it is:
    an input's value (shown in the box and sent back exactly), the choices of a choice set
    and the name of a mentioned person."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from markdown_strings(item, f"{path}/{i}")
    elif isinstance(node, dict):
        is_input = str(node.get("type", "")).startswith("Input.")
        for key, value in node.items():
            if (is_input and key in {"value", "choices"}) or key == "mentioned":
                continue
            yield from markdown_strings(value, f"{path}/{key}")


def _plain_text_values(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _plain_text_values(item)
    elif isinstance(node, dict):
        if node.get("type") == "Input.Text" and "value" in node:
            yield node["value"]
        for value in node.values():
            yield from _plain_text_values(value)


CASES = [(attack, lang) for attack in ATTACKS for lang in LANGUAGES]


@pytest.mark.parametrize(("attack", "lang"), CASES)
def test_user_text_adds_no_markup_to_any_card(attack: str, lang: Language) -> None:
    hostile, _ = ATTACKS[attack]
    plain_cards = dict(every_card(PLAIN, lang))
    attacked_cards = dict(every_card(hostile, lang))
    assert plain_cards.keys() == attacked_cards.keys()
    problems = []
    for name, attacked in attacked_cards.items():
        plain = dict(markdown_strings(plain_cards[name]))
        for path, markdown in markdown_strings(attacked):
            if markup(markdown) != markup(plain[path]) or BIDI_CONTROLS & set(markdown):
                problems.append(f"{name}{path}: {markdown!r}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize(("attack", "lang"), CASES)
def test_mentions_are_only_the_bots_own(attack: str, lang: Language) -> None:
    hostile, _ = ATTACKS[attack]
    members = {ALICE.id: ALICE.name, "aad-owner": hostile}
    for name, card in every_card(hostile, lang):
        entities = card["msteams"].get("entities", [])
        spans = [s for _, md in markdown_strings(card["body"]) for s in mention_spans(md)]
        assert set(spans) == {e["text"] for e in entities}, name
        for entity in entities:
            mentioned = entity["mentioned"]
            assert members.get(mentioned["id"]) == mentioned["name"], name
            assert entity["text"] == f"<at>{user_text(mentioned['name'])}</at>", name
            inner = entity["text"][len("<at>") : -len("</at>")]
            assert not [c for c, escaped in _read(inner) if c in "<>" and not escaped], name


def test_the_attacked_cards_show_the_text_as_typed() -> None:
    """The escaping only hides markup: readers see exactly what was typed, and a form's
    inputs hold it unescaped."""
    for attack, (hostile, _) in ATTACKS.items():
        if attack == "bidi override":
            continue
        cards = dict(every_card(hostile, "en"))
        for name in ("overview", "nudge", f"task-{CATALOG.tasks[0].id}"):
            texts = [shown(md) for _, md in markdown_strings(cards[name]["body"])]
            assert any(hostile in t for t in texts), (attack, name)
        assert set(_plain_text_values(cards["setup"])) == {hostile}, attack


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_user_text_escapes_each_attack(attack: str) -> None:
    hostile, escaped = ATTACKS[attack]
    assert user_text(hostile) == escaped
    assert markup(escaped) == []


def test_a_display_name_cannot_close_its_mention() -> None:
    mentions = Mentions()
    spoof = Person("29:x", "x</at><at>Alice Admin")
    assert mentions.of(spoof) == r"<at>x\</at\>\<at\>Alice Admin</at>"
    assert mentions.entities == [
        {
            "type": "mention",
            "text": r"<at>x\</at\>\<at\>Alice Admin</at>",
            "mentioned": {"id": "29:x", "name": "x</at><at>Alice Admin"},
        }
    ]
    assert mention_spans(mentions.of(spoof)) == [mentions.of(spoof)]


def test_plain_text_passes_unchanged() -> None:
    """Names, paths and everyday punctuation need no escaping and get none."""
    for plain in ["Kim Min-jun (Contoso)", "O'Brien, Dr. J.", "C:\\Temp\\new", "R&D Q&A", "김민준"]:
        assert user_text(plain) == plain
    for lang in LANGUAGES:
        for key, versions in STRINGS.items():
            if key.startswith("error."):
                message = versions[lang].format(limit=500, name="x", line=3)
                assert user_text(message) == message, key


def test_long_text_is_shortened_before_it_is_escaped() -> None:
    assert user_text("a" * 10 + "[", 11) == "a" * 10 + "\\["
    assert user_text("a" * 10 + "\\[x", 12) == "a" * 10 + "\\…"  # a backslash before "…" is text
    assert user_text("[" * 20, 5) == "\\[" * 4 + "…"


# Text made of the pieces markup is made of, so that the generated examples hit it often.
markdownish = st.lists(
    st.sampled_from([*"[]()<>!*_`~&#;=+-.)\\ \t\n\r1ab/:@", "at", "lt;", "\u202e"]), max_size=40
).map("".join)


@given(st.one_of(markdownish, st.text(max_size=60)))
@settings(max_examples=500, derandomize=True, deadline=None)
def test_any_text_shows_as_typed_and_carries_no_markup(typed: str) -> None:
    escaped = user_text(typed)
    assert markup(escaped) == []
    assert mention_spans(escaped) == []
    expected = "".join(c for c in re.sub(r"\r\n?", "\n", typed) if c not in BIDI_CONTROLS)
    assert shown(escaped) == expected
    # It leaves no backslash that would escape what the bot writes after it.
    assert markup(escaped + "_") == ["_"]
