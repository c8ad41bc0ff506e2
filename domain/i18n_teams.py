"""The words of a person's team engagements as their personal chat shows them (the list on
`status` and the welcome, and an engagement opened from it), in English and Korean;
domain/i18n.py merges them into its STRINGS."""

from __future__ import annotations

from typing import Final

from domain.catalog import Language

TEAMS_STRINGS: Final[dict[str, dict[Language, str]]] = {
    "teams.title": {"en": "Your team engagements", "ko": "내가 속한 팀 프로젝트"},
    "teams.channel": {"en": "Team channel", "ko": "팀 채널"},
    "teams.group_chat": {"en": "Group chat", "ko": "그룹 채팅"},
    "teams.open": {"en": "Open", "ko": "열기"},
    "teams.more": {
        "en": "…and {count} more: type “status” in their channels to see them.",
        "ko": "…외 {count}개. 해당 채널에서 “상태”를 입력하면 볼 수 있습니다.",
    },
    "teams.opened": {
        "en": "A team engagement's progress, shown in your personal chat. Its tasks are worked "
        "on in its channel or group chat; “My tasks” here lists those you own.",
        "ko": "팀 프로젝트의 진행 상황을 개인 채팅에 표시합니다. 작업은 해당 채널이나 그룹 "
        "채팅에서 진행하며, 내가 담당한 작업은 여기에서 “내 작업”으로 볼 수 있습니다.",
    },
    "action.my_progress": {"en": "My own progress", "ko": "내 진행 상황"},
    "error.not_a_member": {
        "en": "You are not a member of that engagement's team or chat, or it no longer exists. "
        "Nothing is shown.",
        "ko": "해당 프로젝트의 팀이나 채팅의 구성원이 아니거나 프로젝트가 더 이상 없습니다. "
        "아무것도 표시하지 않습니다.",
    },
}
