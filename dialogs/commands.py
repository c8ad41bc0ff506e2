"""The text commands people type, in English and Korean, and how typed text maps to them.

Teams delivers channel messages with the bot's @mention inside the text and sometimes with
HTML around it; both are stripped before matching, so a command works with or without the
mention and in every scope.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from domain.catalog import Language

MAX_COMMAND_TEXT = 2_000


@dataclass(frozen=True)
class CommandSpec:
    name: str
    aliases: tuple[str, ...]  # English first, then Korean
    takes_argument: bool  # typed after the alias ("phase assess", "단계 평가")
    title: dict[str, str]  # what the help card and the manifest call it
    description: dict[str, str]
    # Whether the manifest's command menu lists it: Teams lists 12 commands at most.
    listed: bool = True


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "help",
        ("help", "도움말", "?"),
        False,
        {"en": "help", "ko": "도움말"},
        {"en": "What the bot can do", "ko": "봇으로 할 수 있는 일"},
    ),
    CommandSpec(
        "status",
        ("status", "상태"),
        False,
        {"en": "status", "ko": "상태"},
        {"en": "Progress of every phase", "ko": "단계별 진행 상황"},
    ),
    CommandSpec(
        "next",
        ("next", "다음", "다음 단계"),
        False,
        {"en": "next", "ko": "다음"},
        {"en": "The current phase and its open tasks", "ko": "현재 단계와 남은 작업"},
    ),
    CommandSpec(
        "phase",
        ("phase", "단계"),
        True,
        {"en": "phase <name>", "ko": "단계 <이름>"},
        {
            "en": "One phase: initiate, assess, remediate or enable",
            "ko": "한 단계 보기: 착수, 평가, 보완, 활성화(예: 평가 단계)",
        },
    ),
    CommandSpec(
        "start",
        # "시작" alone is how Korean speakers say start; the phase is "시작 단계".
        ("start", "시작하기", "시작"),
        False,
        {"en": "start", "ko": "시작하기"},
        {"en": "Walk through the current phase", "ko": "현재 단계 안내 받기"},
        # The same view as `next`, which the menu lists.
        listed=False,
    ),
    CommandSpec(
        "my tasks",
        ("my tasks", "mytasks", "내 작업"),
        False,
        {"en": "my tasks", "ko": "내 작업"},
        {
            "en": "Tasks assigned to you, overdue first",
            "ko": "나에게 지정된 작업(기한 지난 것 먼저)",
        },
    ),
    CommandSpec(
        "add task",
        ("add task", "add tasks", "작업 추가"),
        True,
        {"en": "add task", "ko": "작업 추가"},
        {
            "en": "Add the engagement's own tasks to a phase, one a line",
            "ko": "단계에 프로젝트의 작업 추가(한 줄에 하나)",
        },
    ),
    CommandSpec(
        "meeting",
        ("meeting", "meetings", "회의"),
        True,
        {"en": "meeting", "ko": "회의"},
        {
            "en": "Record a meeting: attendees, notes, decisions, action items",
            "ko": "회의 기록: 참석자, 메모, 결정 사항, 후속 작업",
        },
    ),
    CommandSpec(
        "settings",
        ("settings", "setup", "설정"),
        False,
        {"en": "settings", "ko": "설정"},
        {"en": "Set up the engagement (project manager)", "ko": "프로젝트 설정(프로젝트 관리자)"},
    ),
    CommandSpec(
        "report",
        ("report", "보고서"),
        False,
        {"en": "report", "ko": "보고서"},
        {
            "en": "Status report: schedule against the targets, with a chart",
            "ko": "상태 보고서: 목표 대비 일정과 차트",
        },
    ),
    CommandSpec(
        "history",
        ("history", "기록"),
        False,
        {"en": "history", "ko": "기록"},
        {"en": "Every change, newest first", "ko": "모든 변경 기록(최근 것 먼저)"},
    ),
    CommandSpec(
        "export",
        ("export", "내보내기"),
        False,
        {"en": "export", "ko": "내보내기"},
        {
            "en": "Download the checklist as Excel or CSV",
            "ko": "체크리스트를 Excel 또는 CSV로 내려받기",
        },
    ),
    CommandSpec(
        "general",
        ("general", "일반"),
        False,
        {"en": "general", "ko": "일반"},
        {
            "en": "Standing duties for the whole engagement",
            "ko": "프로젝트 기간 내내 맡는 상시 책임",
        },
    ),
)


# The commands the manifest's menu offers.
LISTED_COMMANDS = tuple(spec for spec in COMMANDS if spec.listed)


@dataclass(frozen=True)
class Command:
    name: str
    argument: str = ""
    # Korean words say the person reads Korean, whatever their client's language; English
    # words (which anyone may type) say nothing.
    lang: Language | None = None


def _language_of(words: str) -> Language | None:
    return "ko" if any("가" <= ch <= "힣" for ch in words) else None


_AT_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Korean names the phase first: "평가 단계" as well as "단계 평가".
_PHASE_LAST = re.compile(r"^(?P<name>.+) 단계$")
# Longest alias first, so a multi-word alias wins over a one-word alias it starts with.
_ALIASES = sorted(
    ((alias, spec) for spec in COMMANDS for alias in spec.aliases), key=lambda a: -len(a[0])
)


def normalize(text: str) -> str:
    text = _AT_MENTION.sub(" ", text[:MAX_COMMAND_TEXT])
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip().casefold()


def parse_command(text: str) -> Command | None:
    """The command `text` asks for, or None when it is not one the bot knows."""
    words = normalize(text)
    if not words:
        return None
    for alias, spec in _ALIASES:
        if words == alias:
            return Command(spec.name, lang=_language_of(alias))
        if spec.takes_argument and words.startswith(alias + " "):
            return Command(spec.name, words[len(alias) + 1 :], _language_of(alias))
    phase_last = _PHASE_LAST.match(words)
    return Command("phase", phase_last["name"], "ko") if phase_last else None
