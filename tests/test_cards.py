"""Every card the bot can send, in both languages and for the fullest engagement, is valid
Adaptive Card 1.5, fully translated, and within the Teams size budget."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cards.announce import phase_completed_card, phase_skipped_card
from cards.common import View
from cards.help import help_card
from cards.mytasks import OwnedTask, my_tasks_card
from cards.notice import error_card
from cards.overview import overview_card, welcome_card, with_setup_offer
from cards.phase import page_count, phase_card, phase_intro_card
from cards.setup import form_values, setup_card
from cards.task import task_card
from cards.team_engagements import MAX_LISTED, team_overview_card, with_team_engagements
from domain.catalog import LANGUAGES, Language, default_catalog
from domain.engagement import (
    MAX_COMMENT_CHARS,
    MAX_NOTE_CHARS,
    MAX_REASON_CHARS,
    Actor,
    Engagement,
    EngagementKey,
    TaskStatus,
)
from domain.i18n import STRINGS, text, with_particles
from domain.notes import Note
from domain.profile import MAX_NAME_CHARS, Channel, NudgeSchedule, Person, Profile
from domain.roles import Side, signers_of
from tests.card_schema import card_errors

CATALOG = default_catalog()
AT = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
LONG_NAME = "김" * 200  # the longest display name the edge keeps
PEOPLE = [Person(f"aad-{i:03d}", f"{LONG_NAME[:60]} {i}") for i in range(60)]
CHANNELS = [Channel("19:general", ""), *(Channel(f"19:c{i}", LONG_NAME[:50]) for i in range(3))]
PROFILE = Profile(
    name="가" * MAX_NAME_CHARS,
    services=frozenset({"aad_premium", "intune", "rms"}),
    kickoff=date(2026, 12, 1),
    phase_targets={
        p.id: date(2027, 1, 1) + timedelta(days=30 * i) for i, p in enumerate(CATALOG.phases)
    },
    project_manager=PEOPLE[0],
    time_zone="Asia/Seoul",
    language="ko",
    schedule=NudgeSchedule(),
)


def _engagement(
    status: TaskStatus | None, *, full: bool = False, profile: Profile = PROFILE
) -> Engagement:
    """`status` DONE settles every task: phase tasks done, standing duties acknowledged."""
    engagement = Engagement(EngagementKey("t", "c"), "channel", AT)
    actor = Actor("29:x", LONG_NAME)
    for i, task in enumerate(CATALOG.tasks):
        if full:
            engagement.profile = profile
            engagement.assign_owner(
                CATALOG, task_id=task.id, owner=PEOPLE[i % 60], actor=actor, at=AT, op_id=f"own-{i}"
            )
            engagement.set_due(
                CATALOG,
                task_id=task.id,
                due=date(2026, 11, 1),
                actor=actor,
                at=AT,
                op_id=f"due-{i}",
            )
            engagement.note_added(
                CATALOG,
                task_id=task.id,
                text="메" * MAX_NOTE_CHARS,
                actor=actor,
                at=AT,
                op_id=f"note-{i}",
            )
        if status is not None and engagement.in_scope(task):
            engagement.set_task_status(
                CATALOG,
                task_id=task.id,
                status=TaskStatus.ACKNOWLEDGED
                if task.duty and status is TaskStatus.DONE
                else status,
                actor=actor,
                at=AT,
                op_id=f"op-{i}",
                reason="사유" * (MAX_REASON_CHARS // 2),
            )
    return engagement


def _skipped(engagement: Engagement) -> Engagement:
    """Every phase skipped by the manager, with the longest reason."""
    skipped = engagement.copy()
    manager = Actor(PEOPLE[0].id, LONG_NAME)
    for phase in CATALOG.phases:
        skipped.skip_phase(
            CATALOG,
            phase_id=phase.id,
            reason="사유" * (MAX_REASON_CHARS // 2),
            actor=manager,
            at=AT,
            op_id=f"skip-{phase.id}",
        )
    return skipped


ENGAGEMENTS = {
    "new": _engagement(None),
    "largest-open": _engagement(None, full=True),
    "largest-done": _engagement(TaskStatus.DONE, full=True),
    "largest-not-applicable": _engagement(TaskStatus.NOT_APPLICABLE, full=True),
    # Intune alone in scope: the Azure AD Premium duties are out of scope.
    "largest-intune-only": _engagement(
        TaskStatus.DONE, full=True, profile=replace(PROFILE, services=frozenset({"intune"}))
    ),
}
ENGAGEMENTS["largest-skipped"] = _skipped(ENGAGEMENTS["largest-open"])


def _signed(engagement: Engagement) -> Engagement:
    """Every phase signed off for each side it needs, with the longest comments, by people
    with the longest names; five FastTrack engineers and five deputies on the overview."""
    signed = engagement.copy()
    assert signed.profile is not None
    engineers, deputies = tuple(PEOPLE[1:6]), tuple(PEOPLE[6:11])
    signed.profile = replace(signed.profile, fasttrack_engineers=engineers, deputies=deputies)
    for phase in CATALOG.phases:
        for side in signers_of(phase.id):
            signer = PEOPLE[0] if side is Side.CUSTOMER else engineers[0]
            signed.sign_off(
                CATALOG,
                phase_id=phase.id,
                side=side,
                comment="의견" * (MAX_COMMENT_CHARS // 2),
                actor=Actor(signer.id, LONG_NAME),
                at=AT,
                op_id=f"sign-{phase.id}-{side.value}",
            )
    return signed


ENGAGEMENTS["largest-signed"] = _signed(ENGAGEMENTS["largest-done"])
NOTES = [
    Note("assess.identify-stakeholders", Actor("29:x", LONG_NAME), AT, "노" * MAX_NOTE_CHARS)
    for _ in range(40)
]
FORM_ERRORS = {
    "name": "required",
    "kickoff": "bad_date",
    "target.assess": "date_order",
    "projectManager": "unknown_person",
    "timeZone": "unknown_time_zone",
    "services": "bad_choice",
    "language": "required",
    "nudgeHour": "bad_choice",
    "nudgeDays": "bad_choice",
}


def every_card() -> Iterator[tuple[str, dict[str, Any]]]:
    for lang in LANGUAGES:
        today = date(2026, 11, 29)
        view = View(lang, today, "Asia/Seoul")
        yield f"help-{lang}", help_card(lang)
        yield f"help-unknown-{lang}", help_card(lang, unknown_text=True)
        for key in STRINGS:
            if key.startswith("error."):
                yield (
                    f"{key}-{lang}",
                    error_card(lang, text(lang, key, limit=500, name="x", line=3)),
                )
        bad_form = {k: "x" * 300 for k in form_values(PROFILE, view)}
        yield (
            f"setup-new-{lang}",
            setup_card(
                CATALOG, view, values=form_values(None, view), members=PEOPLE, channels=CHANNELS
            ),
        )
        yield (
            f"setup-errors-{lang}",
            setup_card(
                CATALOG,
                view,
                values=bad_form,
                members=PEOPLE,
                channels=CHANNELS,
                errors=FORM_ERRORS,
            ),
        )
        for name, engagement in ENGAGEMENTS.items():
            yield f"welcome-{name}-{lang}", welcome_card(engagement, CATALOG, view)
            overview = overview_card(engagement, CATALOG, view, notices=[text(lang, "setup.saved")])
            yield f"overview-{name}-{lang}", overview
            yield f"overview-offer-{name}-{lang}", with_setup_offer(overview, view)
            teams = [engagement] * (MAX_LISTED + 1)
            yield (
                f"overview-teams-{name}-{lang}",
                with_team_engagements(overview, teams, CATALOG, view),
            )
            yield f"team-overview-{name}-{lang}", team_overview_card(engagement, CATALOG, view)
            yield (
                f"setup-saved-{name}-{lang}",
                setup_card(
                    CATALOG,
                    view,
                    values=form_values(engagement.profile, view),
                    members=PEOPLE,
                    channels=[],
                ),
            )
            owned = [OwnedTask(engagement, t, True) for t in CATALOG.tasks]
            yield (
                f"mytasks-{name}-{lang}",
                my_tasks_card(owned, CATALOG, view, owner_name=LONG_NAME),
            )
            yield (
                f"mytasks-private-{name}-{lang}",
                my_tasks_card([], CATALOG, view, owner_name=LONG_NAME, refresh_for="29:x"),
            )
            for track in CATALOG.tracks:
                for page in range(page_count(engagement, CATALOG, track)):
                    yield (
                        f"phase-{track.id}-p{page}-{name}-{lang}",
                        phase_card(engagement, CATALOG, track, view, page=page),
                    )
                yield (
                    f"intro-{track.id}-{name}-{lang}",
                    phase_intro_card(engagement, CATALOG, track, view),
                )
            for phase in CATALOG.phases:
                yield (
                    f"announce-{phase.id}-{name}-{lang}",
                    phase_completed_card(engagement, CATALOG, phase, view),
                )
                if phase.id in engagement.skipped_phases:
                    yield (
                        f"skipped-{phase.id}-{name}-{lang}",
                        phase_skipped_card(engagement, CATALOG, phase, view),
                    )
            for task in CATALOG.tasks:
                yield (
                    f"task-{task.id}-{name}-{lang}",
                    task_card(engagement, CATALOG, task, view, notes=NOTES, members=PEOPLE),
                )


CARDS = dict(every_card())


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_is_valid_and_small(name: str) -> None:
    assert card_errors(CARDS[name]) == []


def test_schema_check_catches_a_broken_card() -> None:
    broken = help_card("en")
    broken["body"].append({"type": "TextBlock"})  # text is required
    assert card_errors(broken)
    too_big = help_card("en")
    too_big["body"].append({"type": "TextBlock", "text": "x" * 30_000})
    assert any("bytes" in e for e in card_errors(too_big))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_has_both_languages_with_the_same_placeholders(lang: Language) -> None:
    for key, versions in STRINGS.items():
        assert set(versions) == set(LANGUAGES), key
        assert versions[lang].strip(), key
        en, ko = (sorted(re.findall(r"{(\w+)}", versions[x])) for x in ("en", "ko"))
        assert en == ko, key


ENGLISH_UI = {
    v["en"] for k, v in STRINGS.items() if re.search(r"[a-z]{3}", v["en"]) and v["en"] != v["ko"]
}


@pytest.mark.parametrize("name", sorted(n for n in CARDS if n.endswith("-ko")))
def test_korean_cards_have_no_english_interface_text(name: str) -> None:
    """A missing translation shows up as an English string on a Korean card."""
    strings = _texts(CARDS[name])
    leaked = {s for s in strings if s in ENGLISH_UI}
    assert not leaked, leaked
    assert any(re.search("[가-힣]", s) for s in strings)


def test_card_data_carries_only_pointers_the_bot_checks() -> None:
    """Clicks are routed by the conversation they arrive in; the only engagement named in card
    data is on 'my tasks' cards, where the bot checks that the clicker owns the task, and on
    the personal chat's list of team engagements, where it checks that they are a member."""
    for name, card in CARDS.items():
        for data in _action_data(card):
            # "side": whose sign-off a button gives; the domain checks the clicker may.
            allowed = {"task", "phase", "page", "view", "side"}
            if name.startswith(("mytasks", "overview-teams")):
                allowed.add("engagement")
            assert set(data) <= allowed, (name, data)


def test_mentions_have_matching_entities() -> None:
    card = CARDS["phase-initiate-p0-largest-open-en"]
    entities = {e["text"] for e in card["msteams"]["entities"]}
    mentioned = set(re.findall(r"<at>.*?</at>", json.dumps(card["body"], ensure_ascii=False)))
    assert mentioned and mentioned == entities


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [
            node[k]
            for k in ("text", "title", "label", "placeholder", "value")
            if isinstance(node.get(k), str)
        ]
        return found + [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def _action_data(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute" and "data" in node:
            yield node["data"]
        for value in node.values():
            yield from _action_data(value)
    elif isinstance(node, list):
        for item in node:
            yield from _action_data(item)


# --- standing duties, services in scope, Microsoft's part ------------------------------


def _verbs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["verb"]] if node.get("type") == "Action.Execute" else []
        return own + [v for value in node.values() for v in _verbs(value)]
    if isinstance(node, list):
        return [v for item in node for v in _verbs(item)]
    return []


def _block(card: dict[str, Any], title: str) -> dict[str, Any]:
    return next(
        item
        for item in card["body"]
        if item.get("type") == "Container" and title in _texts(item["items"][0])[0]
    )


def test_duties_are_acknowledged_with_an_owner_and_badged_as_not_fasttracks_work() -> None:
    view = View("en", date(2026, 11, 29), None)
    duty = CATALOG.task("general.test-environment")
    engagement = _engagement(None)
    card = phase_card(engagement, CATALOG, CATALOG.general, view, page=1)
    block = _block(card, duty.title.en)
    assert "Not part of FastTrack's work" in _texts(block)
    assert _verbs(block) == ["task.take", "task.na", "task.show"], "no owner yet: take it"
    assert "task.done" not in _verbs(card)

    engagement.assign_owner(
        CATALOG, task_id=duty.id, owner=PEOPLE[1], actor=Actor("29:x", "X"), at=AT, op_id="o"
    )
    card = phase_card(engagement, CATALOG, CATALOG.general, view, page=1)
    assert _verbs(_block(card, duty.title.en)) == ["task.acknowledge", "task.na", "task.show"]

    engagement.set_task_status(
        CATALOG,
        task_id=duty.id,
        status=TaskStatus.ACKNOWLEDGED,
        actor=Actor("29:x", "Xavier"),
        at=AT,
        op_id="a",
    )
    block = _block(phase_card(engagement, CATALOG, CATALOG.general, view, page=1), duty.title.en)
    assert _verbs(block) == ["task.reopen", "task.show"]
    assert any(t.startswith("Acknowledged · Xavier · ") for t in _texts(block))
    # Phase tasks keep Done / Not applicable and carry no badge.
    initiate = phase_card(engagement, CATALOG, CATALOG.track("initiate"), view)
    assert "task.done" in _verbs(initiate) and "task.acknowledge" not in _verbs(initiate)
    assert "Not part of FastTrack's work" not in _texts(initiate)


def test_the_overview_never_lists_duties_next_and_counts_those_without_an_owner() -> None:
    view = View("en", date(2026, 11, 29), None)
    engagement = _engagement(None)
    body = json.dumps(overview_card(engagement, CATALOG, view)["body"], ensure_ascii=False)
    next_up = [t.title.en for t in CATALOG.tasks if t.title.en in body and t.duty]
    assert next_up == []
    assert "19 standing duties still need an owner." in body
    assert "0 acknowledged · 19 open · 19 without an owner" in body
    owned = ENGAGEMENTS["largest-done"]
    body = json.dumps(overview_card(owned, CATALOG, view)["body"], ensure_ascii=False)
    assert "standing duties still need an owner" not in body
    assert "19 acknowledged · 0 open · 0 without an owner" in body


def test_tasks_for_services_out_of_scope_show_why_and_offer_no_status_button() -> None:
    view = View("ko", date(2026, 11, 29), "Asia/Seoul")
    engagement = ENGAGEMENTS["largest-intune-only"]
    page = phase_card(engagement, CATALOG, CATALOG.general, view, page=1)
    enrollment = CATALOG.task("general.user-account-enrollment")
    block = _block(page, enrollment.title.ko)
    assert _texts(block["items"][0])[0].startswith("⊘ ")
    assert any(
        "대상 외" in t and "Azure AD Premium(현재 Microsoft Entra ID P1/P2)" in t
        for t in _texts(block)
    )
    assert _verbs(block) == ["task.show"]
    overview = json.dumps(overview_card(engagement, CATALOG, view)["body"], ensure_ascii=False)
    assert "대상 외 2" in overview
    details = task_card(engagement, CATALOG, enrollment, view, notes=[], members=PEOPLE)
    assert not {"task.acknowledge", "task.na", "task.reopen"} & set(_verbs(details))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_phase_introduction_shows_microsofts_part_and_its_source(lang: Language) -> None:
    view = View(lang, date(2026, 11, 29), None)
    for phase in CATALOG.phases:
        texts = _texts(phase_intro_card(ENGAGEMENTS["new"], CATALOG, phase, view))
        assert text(lang, "intro.microsoft") in texts
        assert text(lang, "intro.microsoft_source") in texts
        listed = next(t for t in texts if phase.microsoft[0].in_(lang) in t)
        assert all(f"- {item.in_(lang)}" in listed for item in phase.microsoft)


@pytest.mark.parametrize("name", sorted(n for n in CARDS if n.endswith("-ko")))
def test_korean_cards_choose_their_particles(name: str) -> None:
    """ "(으)로" and the like are how a string is written, never what a card shows."""
    shown = json.dumps(CARDS[name], ensure_ascii=False)
    assert not re.search(r"\((으|이|을|은|과)\)|이\(가\)|을\(를\)|은\(는\)|과\(와\)", shown)


def test_particles_follow_the_final_consonant() -> None:
    assert text("ko", "action.back_to_phase", phase="보완") == "보완으로 돌아가기"
    assert text("ko", "action.back_to_phase", phase="평가") == "평가로 돌아가기"
    assert text("ko", "action.back_to_phase", phase="일반 책임") == "일반 책임으로 돌아가기"
    assert with_particles("서울(으)로 · 책이(가) · 7을(를) · 2은(는) · 팀과(와)") == (
        "서울로 · 책이 · 7을 · 2는 · 팀과"
    )


def test_a_phase_card_reuses_task_blocks_across_the_moments_of_a_day() -> None:
    """A click's view carries its moment (for meetings); a task's block does not depend on
    it, so the clicks of one day share the blocks, and the card equals one built afresh."""
    from cards.phase import _task_block

    engagement = _engagement(TaskStatus.DONE, full=True)
    track = CATALOG.track("assess")
    # 10:00 and 22:00 in Seoul, the engagement's zone: one day.
    morning, evening = (View.of(engagement, "en", AT.replace(hour=h)) for h in (1, 13))
    assert morning.today == evening.today and morning != evening

    _task_block.cache_clear()
    first = phase_card(engagement, CATALOG, track, morning)
    second = phase_card(engagement, CATALOG, track, evening)
    _task_block.cache_clear()
    fresh = phase_card(engagement, CATALOG, track, evening)

    assert second == fresh
    blocks = [item for item in first["body"] if item.get("separator")]
    assert blocks and all(any(block is other for other in second["body"]) for block in blocks), (
        "the second click rebuilt task blocks the first one built"
    )
    # What is overdue changes with the day: another day builds its own blocks.
    next_day = View.of(engagement, "en", AT + timedelta(days=1))
    later = phase_card(engagement, CATALOG, track, next_day)["body"]
    assert not any(block is other for block in blocks for other in later)
