"""The words of roles and phase sign-off, in English and Korean; domain/i18n.py merges them
into its STRINGS. One term per concept: sign-off is 승인, a deputy 대리인."""

from __future__ import annotations

from typing import Final

from domain.catalog import Language

SIGNOFF_STRINGS: Final[dict[str, dict[Language, str]]] = {
    "setup.fasttrack": {
        "en": "FastTrack engineers (Microsoft; they sign off Remediate with you)",
        "ko": "FastTrack 엔지니어(Microsoft, 보완 단계를 함께 승인합니다)",
    },
    "setup.deputies": {
        "en": "Deputies (optional; they act for the project manager, sign-off included, "
        "but cannot change these settings)",
        "ko": "대리인(선택, 승인을 포함해 프로젝트 관리자 대신 처리하지만 설정은 바꿀 수 없습니다)",
    },
    "form.error.too_many": {
        "en": "Pick at most 5 people.",
        "ko": "최대 5명까지 선택할 수 있습니다.",
    },
    "role.manager": {"en": "Project manager", "ko": "프로젝트 관리자"},
    "role.deputies": {"en": "Deputies", "ko": "대리인"},
    "role.fasttrack": {"en": "FastTrack engineers", "ko": "FastTrack 엔지니어"},
    "role.none": {"en": "not named", "ko": "지정되지 않음"},
    "overview.awaiting": {
        "en": "Awaiting sign-off: {phases}",
        "ko": "승인 대기: {phases}",
    },
    "overview.awaiting_mark": {"en": "awaiting sign-off", "ko": "승인 대기"},
    "signoff.ready": {
        "en": "Every task is settled: this phase is ready for sign-off.",
        "ko": "모든 작업을 처리했습니다. 이 단계는 승인을 기다립니다.",
    },
    "signoff.side.customer": {"en": "Customer", "ko": "고객"},
    "signoff.side.fasttrack": {"en": "FastTrack", "ko": "FastTrack"},
    "signoff.waiting": {
        "en": "{side}: waiting for {people}",
        "ko": "{side}: {people}님의 승인을 기다립니다",
    },
    "signoff.signed": {
        "en": "{side}: signed off by {who}, {when}",
        "ko": "{side}: {who}님이 승인함, {when}",
    },
    "signoff.comment": {"en": "“{comment}”", "ko": "“{comment}”"},
    "signoff.system": {
        "en": "the system (complete before sign-off existed)",
        "ko": "시스템(승인 기능 도입 전에 완료됨)",
    },
    "signoff.nobody": {
        "en": "a FastTrack engineer (the project manager names one in the settings)",
        "ko": "FastTrack 엔지니어(프로젝트 관리자가 설정에서 지정합니다)",
    },
    "action.sign_off": {"en": "Sign off", "ko": "승인"},
    "action.sign_off_as": {"en": "Sign off for {side}", "ko": "{side} 측 승인"},
    "action.confirm_sign_off": {"en": "Confirm sign-off", "ko": "승인 확인"},
    "input.signoff_comment.label": {"en": "Comment (optional)", "ko": "의견(선택)"},
    "action.reopen_phase": {"en": "Reopen phase", "ko": "단계 다시 열기"},
    "input.reopen_reason.label": {"en": "Why reopen it?", "ko": "다시 여는 이유"},
    "action.confirm_reopen": {"en": "Reopen", "ko": "다시 열기"},
    "phase.signed_notice": {
        "en": "Your sign-off for {side} is recorded.",
        "ko": "{side} 측 승인을 기록했습니다.",
    },
    "phase.reopened_notice": {
        "en": "{phase} waits for sign-off again: its signatures are withdrawn.",
        "ko": "{phase} 단계의 승인을 철회했습니다. 다시 승인을 기다립니다.",
    },
    "announce.reopened": {
        "en": "↩ {phase} is back in progress",
        "ko": "↩ {phase} 단계를 다시 진행합니다",
    },
    "announce.reopened.status": {
        "en": "{who} reopened “{task}”, so the phase's sign-off is withdrawn.",
        "ko": "{who}님이 “{task}” 작업을 다시 열어 단계 승인을 철회했습니다.",
    },
    "announce.reopened.task": {
        "en": "{who} added “{task}”, so the phase's sign-off is withdrawn.",
        "ko": "{who}님이 “{task}” 작업을 추가해 단계 승인을 철회했습니다.",
    },
    "announce.reopened.other": {
        "en": "{who} changed the settings and tasks came back in scope, so the phase's "
        "sign-off is withdrawn.",
        "ko": "{who}님이 설정을 바꿔 작업이 다시 대상이 되었으므로 단계 승인을 철회했습니다.",
    },
    "nudge.signoff": {
        "en": "✍ {phase} awaits sign-off from {people}.",
        "ko": "✍ {phase} 단계가 {people}님의 승인을 기다립니다.",
    },
    "error.manager_or_deputy": {
        "en": "Only the project manager or a deputy can do that. Nothing was changed.",
        "ko": "프로젝트 관리자나 대리인만 할 수 있습니다. 아무것도 변경되지 않았습니다.",
    },
    "error.not_customer_signer": {
        "en": "Only the project manager or a deputy can sign off for the customer. Nothing "
        "was changed.",
        "ko": "고객 측 승인은 프로젝트 관리자나 대리인만 할 수 있습니다. 아무것도 변경되지 "
        "않았습니다.",
    },
    "error.not_fasttrack_signer": {
        "en": "Only a FastTrack engineer named in the settings can sign off for FastTrack. "
        "Nothing was changed.",
        "ko": "FastTrack 측 승인은 설정에서 지정한 FastTrack 엔지니어만 할 수 있습니다. "
        "아무것도 변경되지 않았습니다.",
    },
    "error.phase_not_ready": {
        "en": "This phase still has open tasks: it can be signed off once every task is "
        "settled. Nothing was changed.",
        "ko": "이 단계에 남은 작업이 있습니다. 모든 작업을 처리한 뒤 승인할 수 있습니다. "
        "아무것도 변경되지 않았습니다.",
    },
    "error.no_signoff_needed": {
        "en": "This phase needs no such sign-off (a skipped phase needs none). Nothing was "
        "changed.",
        "ko": "이 단계에는 그런 승인이 필요 없습니다(건너뛴 단계는 승인이 필요 없습니다). "
        "아무것도 변경되지 않았습니다.",
    },
    "change.signoff": {"en": "sign-off {before} → {after}", "ko": "승인 {before} → {after}"},
    "change.fasttrack": {
        "en": "FastTrack engineers {before} → {after}",
        "ko": "FastTrack 엔지니어 {before} → {after}",
    },
    "change.deputy": {"en": "deputies {before} → {after}", "ko": "대리인 {before} → {after}"},
    "report.signoffs": {"en": "Sign-offs", "ko": "단계 승인"},
    "report.signoff": {
        "en": "{phase} · {side}: {who}, {when}",
        "ko": "{phase} · {side}: {who}, {when}",
    },
}
