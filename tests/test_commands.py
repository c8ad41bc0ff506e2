"""Typed text → commands, in both languages and every scope."""

from __future__ import annotations

import json

import pytest

from dialogs.commands import COMMANDS, Command, parse_command
from dialogs.flows import all_flows
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("help", Command("help")),
        ("도움말", Command("help", lang="ko")),
        ("<at>Onboarding</at> STATUS", Command("status")),
        ("<at>FastTrack EMS</at>&nbsp;상태", Command("status", lang="ko")),
        ("next", Command("next")),
        ("다음", Command("next", lang="ko")),
        ("phase Assess", Command("phase", "assess")),
        ("단계 평가", Command("phase", "평가", lang="ko")),
        ("general", Command("general")),
        ("일반", Command("general", lang="ko")),
        # Korean as people type it: "시작" alone starts, the phase name may come first.
        ("시작", Command("start", lang="ko")),
        ("시작하기", Command("start", lang="ko")),
        ("다음 단계", Command("next", lang="ko")),
        ("평가 단계", Command("phase", "평가", lang="ko")),
        ("보완 단계", Command("phase", "보완", lang="ko")),
        ("수정 단계", Command("phase", "수정", lang="ko")),
        ("단계 착수", Command("phase", "착수", lang="ko")),
        ("status please", None),
        ("", None),
        ("<at>Onboarding</at>", None),
    ],
)
def test_parse(typed: str, expected: Command | None) -> None:
    assert parse_command(typed) == expected


def test_every_command_has_a_handler_and_an_english_and_korean_alias() -> None:
    assert set(all_flows().commands) == {spec.name for spec in COMMANDS}
    for spec in COMMANDS:
        assert spec.aliases[0].isascii()
        assert any(not alias.isascii() for alias in spec.aliases), spec.name


SCOPES = [
    {"conversation": a.TEAM, "conversation_type": "channel", "mention": True},
    {"conversation": "19:group@thread.v2", "conversation_type": "groupChat"},
    {"conversation": "a:personal-chat", "conversation_type": "personal"},
]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s["conversation_type"])
@pytest.mark.parametrize(
    ("typed", "locale", "expect"),
    [
        ("status", "en-US", "Onboarding progress"),
        ("상태", "ko-KR", "온보딩 진행 상황"),
        ("next", "en-US", "Initiate"),
        ("phase remediate", "en-US", "Remediate"),
        ("단계 활성화", "ko-KR", "활성화"),
        ("수정 단계", "ko-KR", "평가에서 파악된 부족한 부분을 보완해"),
        ("시작", "ko-KR", "단계 안내"),
        ("general", "en-US", "General responsibilities"),
        ("help", "ko-KR", "사용할 수 있는 명령"),
        ("what is this", "en-US", "I didn't understand that"),
        ("phase nowhere", "en-US", "There is no phase called"),
    ],
)
async def test_commands_answer_in_every_scope(
    bot: BotHarness, connector: FakeConnector, scope: dict, typed: str, locale: str, expect: str
) -> None:
    status, _ = await bot.send(a.message(bot.service_url, typed, locale=locale, **scope))
    assert status in (200, 201)
    posted = connector.sent("POST")
    assert posted, "never silence"
    assert len(posted) == 1, "one card: next and start send the intro, which opens the tasks"
    assert all(p.conversation_id.startswith(scope["conversation"]) for p in posted)
    assert expect in json.dumps(connector.cards("POST"), ensure_ascii=False)
