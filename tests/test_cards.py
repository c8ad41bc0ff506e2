"""Every card the bot can send, in both languages and for the fullest engagement, is valid
Adaptive Card 1.5 and within the Teams size budget."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cards.help import help_card
from cards.notice import error_card
from cards.overview import overview_card, welcome_card
from cards.phase import phase_card
from domain.catalog import LANGUAGES, Language, default_catalog
from domain.engagement import MAX_REASON_CHARS, Actor, Engagement, EngagementKey, TaskStatus
from domain.i18n import STRINGS, text
from tests.card_schema import card_errors

CATALOG = default_catalog()
AT = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)


def _engagement(status: TaskStatus | None) -> Engagement:
    engagement = Engagement(EngagementKey("t", "c"), "channel", AT)
    if status is None:
        return engagement
    actor = Actor("29:x", "김" * 200)  # longest display name the edge keeps
    for i, task in enumerate(CATALOG.tasks):
        engagement.set_task_status(
            CATALOG,
            task_id=task.id,
            status=status,
            actor=actor,
            at=AT,
            op_id=f"op-{i}",
            reason="사유" * (MAX_REASON_CHARS // 2),
        )
    return engagement


ENGAGEMENTS = {
    "new": _engagement(None),
    "all-done": _engagement(TaskStatus.DONE),
    "all-not-applicable": _engagement(TaskStatus.NOT_APPLICABLE),
}


def every_card() -> Iterator[tuple[str, dict[str, Any]]]:
    for lang in LANGUAGES:
        yield f"help-{lang}", help_card(lang)
        yield f"help-unknown-{lang}", help_card(lang, unknown_text=True)
        for key in STRINGS:
            if key.startswith("error."):
                message = text(lang, key, limit=500, name="x")
                yield f"{key}-{lang}", error_card(lang, message)
        for name, engagement in ENGAGEMENTS.items():
            yield f"welcome-{name}-{lang}", welcome_card(engagement, CATALOG, lang)
            yield f"overview-{name}-{lang}", overview_card(engagement, CATALOG, lang)
            for track in CATALOG.tracks:
                yield (
                    f"phase-{track.id}-{name}-{lang}",
                    phase_card(engagement, CATALOG, track, lang),
                )


CARDS = dict(every_card())


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_is_valid_and_small(name: str) -> None:
    assert card_errors(CARDS[name]) == []


def test_schema_check_catches_a_broken_card() -> None:
    broken = help_card("en")
    broken["body"].append({"type": "TextBlock"})  # text is required
    assert card_errors(broken)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_has_both_languages_with_the_same_placeholders(lang: Language) -> None:
    for key, versions in STRINGS.items():
        assert set(versions) == set(LANGUAGES), key
        placeholders = {
            lang_: sorted(p.split("}")[0] for p in v.split("{")[1:])
            for lang_, v in versions.items()
        }
        assert placeholders["en"] == placeholders["ko"], key


def test_korean_cards_carry_korean_text_and_no_english_ui() -> None:
    card = json.dumps(
        phase_card(ENGAGEMENTS["new"], CATALOG, CATALOG.phases[1], "ko"), ensure_ascii=False
    )
    for key in ("action.done", "action.not_applicable", "phase.goal", "phase.checkpoint"):
        assert STRINGS[key]["ko"] in card
        assert f'"{STRINGS[key]["en"]}"' not in card
    assert CATALOG.phases[1].name.ko in card


def test_card_data_never_names_the_engagement_or_conversation() -> None:
    """Clicks are routed by the conversation they arrive in, so cards carry only task/phase ids."""
    allowed = {"task", "phase"}
    for name, card in CARDS.items():
        for data in _action_data(card):
            assert set(data) <= allowed, (name, data)


def _action_data(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute" and "data" in node:
            yield node["data"]
        for value in node.values():
            yield from _action_data(value)
    elif isinstance(node, list):
        for item in node:
            yield from _action_data(item)
