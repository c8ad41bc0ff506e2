"""Every user-facing string the bot sends, in English and Korean.

The checklist texts live in catalog.json; these are the words around them. A test checks
that each key has both languages and the same placeholders in each.
"""

from __future__ import annotations

from typing import Final

from domain.catalog import Language

STRINGS: Final[dict[str, dict[Language, str]]] = {
    "app.name": {"en": "FastTrack EMS Onboarding", "ko": "FastTrack EMS 온보딩"},
    "welcome.title": {
        "en": "Welcome to your FastTrack EMS onboarding",
        "ko": "FastTrack EMS 온보딩을 시작합니다",
    },
    "welcome.body": {
        "en": "I keep this engagement's checklist of customer responsibilities for Azure AD "
        "Premium, Microsoft Intune and Azure Rights Management, phase by phase. Mark tasks "
        "with the buttons; everyone here sees the same state.",
        "ko": "Azure AD Premium, Microsoft Intune, Azure Rights Management 온보딩에서 고객이 "
        "맡아야 할 일을 단계별 체크리스트로 관리합니다. 버튼으로 작업을 표시하면 이 대화의 "
        "모든 사람이 같은 상태를 봅니다.",
    },
    "overview.title": {"en": "Onboarding progress", "ko": "온보딩 진행 상황"},
    "overview.current": {"en": "Current phase: {phase}", "ko": "현재 단계: {phase}"},
    "overview.all_done": {
        "en": "Every phase is complete. Well done!",
        "ko": "모든 단계가 완료되었습니다. 수고하셨습니다!",
    },
    "overview.counts": {
        "en": "{settled}/{total} settled · {open} open",
        "ko": "{settled}/{total} 처리 · {open}개 남음",
    },
    "overview.general_note": {
        "en": "Runs alongside every phase.",
        "ko": "모든 단계와 함께 진행됩니다.",
    },
    "phase.goal": {"en": "Goal", "ko": "목표"},
    "phase.checkpoint": {"en": "Checkpoint", "ko": "체크포인트"},
    "phase.progress": {"en": "{settled} of {total} settled", "ko": "{total}개 중 {settled}개 처리"},
    "phase.complete": {"en": "This phase is complete.", "ko": "이 단계는 완료되었습니다."},
    "task.optional": {"en": "Optional", "ko": "선택 사항"},
    "task.status.open": {"en": "Open", "ko": "진행 전"},
    "task.status.done": {"en": "Done · {who} · {when}", "ko": "완료 · {who} · {when}"},
    "task.status.not_applicable": {
        "en": "Not applicable · {who} · {when}: {reason}",
        "ko": "해당 없음 · {who} · {when}: {reason}",
    },
    "action.done": {"en": "Done", "ko": "완료"},
    "action.not_applicable": {"en": "Not applicable", "ko": "해당 없음"},
    "action.reopen": {"en": "Reopen", "ko": "다시 열기"},
    "action.confirm_not_applicable": {"en": "Mark not applicable", "ko": "해당 없음으로 표시"},
    "action.overview": {"en": "Overview", "ko": "전체 현황"},
    "action.open_phase": {"en": "Open {phase}", "ko": "{phase} 열기"},
    "input.reason.label": {"en": "Why does this not apply?", "ko": "해당 없는 이유"},
    "input.reason.placeholder": {
        "en": "For example: covered by the existing setup",
        "ko": "예: 기존 구성으로 이미 충족됨",
    },
    "help.title": {"en": "What I can do", "ko": "사용할 수 있는 명령"},
    "help.intro": {
        "en": "Type a command here, with or without mentioning me:",
        "ko": "이 대화에 명령을 입력하세요. 저를 멘션하지 않아도 됩니다.",
    },
    "help.unknown": {
        "en": "I didn't understand that. Here is what I can do:",
        "ko": "이해하지 못했습니다. 다음 명령을 사용할 수 있습니다.",
    },
    "error.title": {"en": "That didn't work", "ko": "요청을 처리하지 못했습니다"},
    "error.unknown_task": {
        "en": "That task is not on this checklist. Nothing was changed.",
        "ko": "이 체크리스트에 없는 작업입니다. 아무것도 변경되지 않았습니다.",
    },
    "error.unknown_track": {
        "en": "There is no phase called “{name}”. Try initiate, assess, remediate or enable.",
        "ko": "“{name}” 단계가 없습니다. 시작, 평가, 수정, 활성화 중에서 고르세요.",
    },
    "error.reason_required": {
        "en": "Please give a reason before marking a task not applicable.",
        "ko": "해당 없음으로 표시하려면 이유를 입력하세요.",
    },
    "error.text_too_long": {
        "en": "That text is too long (at most {limit} characters). Nothing was changed.",
        "ko": "텍스트가 너무 깁니다(최대 {limit}자). 아무것도 변경되지 않았습니다.",
    },
    "error.invalid_request": {
        "en": "I couldn't read that request. Nothing was changed.",
        "ko": "요청을 읽을 수 없습니다. 아무것도 변경되지 않았습니다.",
    },
    "error.unknown_action": {
        "en": "This button is not one I know. Nothing was changed.",
        "ko": "알 수 없는 버튼입니다. 아무것도 변경되지 않았습니다.",
    },
    "error.engagement_missing": {
        "en": "This conversation has no onboarding checklist yet. Type “help” to begin.",
        "ko": "이 대화에는 아직 온보딩 체크리스트가 없습니다. “도움말”을 입력해 시작하세요.",
    },
    "error.store_unavailable": {
        "en": "I can't save right now. Please try again in a moment; nothing was changed.",
        "ko": "지금은 저장할 수 없습니다. 잠시 후 다시 시도하세요. 아무것도 변경되지 않았습니다.",
    },
}


def language_for(locale: str | None) -> Language:
    """Korean for any ko locale (ko, ko-KR, ko_KR), English otherwise."""
    return "ko" if (locale or "").strip().lower().startswith("ko") else "en"


def text(lang: Language, key: str, **params: object) -> str:
    return STRINGS[key][lang].format(**params)
