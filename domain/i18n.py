"""Every user-facing string the bot sends, in English and Korean.

The checklist texts live in catalog.json; these are the words around them. A test checks
that each key has both languages and the same placeholders in each.
"""

from __future__ import annotations

import re
from typing import Final

from domain.catalog import Language
from domain.i18n_meetings import MEETING_STRINGS
from domain.i18n_reports import REPORT_STRINGS
from domain.i18n_signoff import SIGNOFF_STRINGS
from domain.i18n_tasks import TASK_STRINGS
from domain.i18n_teams import TEAMS_STRINGS

STRINGS: Final[dict[str, dict[Language, str]]] = {
    "app.name": {"en": "FastTrack EMS Onboarding", "ko": "FastTrack EMS 온보딩"},
    "welcome.title": {
        "en": "Welcome to your FastTrack EMS onboarding",
        "ko": "FastTrack EMS 온보딩을 시작합니다",
    },
    "welcome.body": {
        "en": "I keep this engagement's checklist of customer responsibilities for Azure AD "
        "Premium (now Microsoft Entra ID P1/P2), Microsoft Intune and Azure Rights Management "
        "(Azure Information Protection), phase by phase, beside what Microsoft does in each "
        "phase. Mark tasks with the buttons; everyone here sees the same state.",
        "ko": "Azure AD Premium(현재 Microsoft Entra ID P1/P2), Microsoft Intune, Azure Rights "
        "Management(Azure Information Protection) 온보딩에서 고객이 맡아야 할 일을 단계별 "
        "체크리스트로 관리하고, 단계마다 Microsoft가 하는 일도 함께 보여 줍니다. 버튼으로 "
        "작업을 표시하면 이 대화의 모든 사람이 같은 상태를 봅니다.",
    },
    "overview.title": {"en": "Onboarding progress", "ko": "온보딩 진행 상황"},
    "overview.current": {"en": "Current phase: {phase}", "ko": "현재 단계: {phase}"},
    "overview.all_done": {
        "en": "Every phase is complete. Well done!",
        "ko": "모든 단계가 완료되었습니다. 수고하셨습니다!",
    },
    "overview.counts": {
        "en": "{settled} settled ({done} done, {na} not applicable) · {open} open · "
        "{overdue} overdue",
        "ko": "처리 {settled}(완료 {done}, 해당 없음 {na}) · 남음 {open} · 기한 지남 {overdue}",
    },
    "overview.skipped": {"en": "skipped", "ko": "건너뜀"},
    "overview.no_owner": {"en": "no owner yet", "ko": "담당자 없음"},
    "overview.next_up": {"en": "Next up", "ko": "다음에 할 일"},
    "overview.general_note": {
        "en": "Your organization's standing duties for the whole engagement, alongside every "
        "phase; not part of FastTrack's work.",
        "ko": "모든 단계와 함께 프로젝트 기간 내내 조직이 맡는 상시 책임이며, FastTrack 지원 "
        "범위에 포함되지 않습니다.",
    },
    "overview.duties": {
        "en": "{acknowledged} acknowledged · {open} open · {unowned} without an owner",
        "ko": "책임 확인 {acknowledged} · 남음 {open} · 담당자 없음 {unowned}",
    },
    "overview.duties_unowned": {
        "en": "{count} standing duties still need an owner.",
        "ko": "담당자가 정해지지 않은 상시 책임이 {count}개 있습니다.",
    },
    "overview.out_of_scope": {"en": "{count} out of scope", "ko": "대상 외 {count}"},
    "phase.goal": {"en": "Goal", "ko": "목표"},
    "phase.checkpoint": {"en": "Checkpoint", "ko": "체크포인트"},
    "phase.progress": {"en": "{settled} of {total} settled", "ko": "{total}개 중 {settled}개 처리"},
    "phase.complete": {"en": "This phase is complete.", "ko": "이 단계는 완료되었습니다."},
    "task.optional": {"en": "Optional", "ko": "선택 사항"},
    "task.duty": {"en": "Not part of FastTrack's work", "ko": "FastTrack 지원 범위 밖"},
    "task.out_of_scope": {
        "en": "Out of scope: concerns {services}, which is not among this engagement's services",
        "ko": "대상 외: 이 프로젝트의 대상 서비스가 아닌 {services} 관련 작업입니다",
    },
    "task.status.open": {"en": "Open", "ko": "진행 전"},
    "task.status.done": {"en": "Done · {who} · {when}", "ko": "완료 · {who} · {when}"},
    "task.status.acknowledged": {
        "en": "Acknowledged · {who} · {when}",
        "ko": "책임 확인 · {who} · {when}",
    },
    "task.status.not_applicable": {
        "en": "Not applicable · {who} · {when}: {reason}",
        "ko": "해당 없음 · {who} · {when}: {reason}",
    },
    "action.done": {"en": "Done", "ko": "완료"},
    "action.acknowledge": {"en": "Acknowledge", "ko": "책임 확인"},
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
        "en": "Type a command here. In a channel or group chat, @mention me first: "
        "Teams brings me only messages that mention me there.",
        "ko": "이 대화에 명령을 입력하세요. 채널과 그룹 채팅에서는 먼저 저를 @멘션하세요. "
        "그곳에서는 저를 멘션한 메시지만 Teams가 전달합니다.",
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
        "ko": "“{name}” 단계가 없습니다. 착수, 평가, 보완, 활성화 중에서 고르세요.",
    },
    "error.reason_required": {
        "en": "Please give a reason before marking a task not applicable.",
        "ko": "해당 없음으로 표시하려면 이유를 입력하세요.",
    },
    "error.text_too_long": {
        "en": "That text is too long (at most {limit} characters). Nothing was changed.",
        "ko": "텍스트가 너무 깁니다(최대 {limit}자). 아무것도 변경되지 않았습니다.",
    },
    "error.too_many_notes": {
        "en": "This task already has {limit} notes, the most a task keeps; the export has "
        "them all. Nothing was changed.",
        "ko": "이 작업에는 메모가 이미 {limit}개 있어 더 추가할 수 없습니다. 내보내기에 모든 "
        "메모가 있습니다. 아무것도 변경되지 않았습니다.",
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
    "task.owner": {"en": "Owner: {owner}", "ko": "담당: {owner}"},
    "task.due": {"en": "Due {date}", "ko": "기한 {date}"},
    "task.overdue": {"en": "⚠ Overdue since {date}", "ko": "⚠ 기한 지남: {date}"},
    "task.notes": {
        "en": "📝 Notes: {count} · latest: {latest}",
        "ko": "📝 메모 {count}개 · 최근: {latest}",
    },
    "task.notes_heading": {"en": "Notes", "ko": "메모"},
    "action.details": {"en": "Details", "ko": "자세히"},
    "action.toggle_task": {"en": "Show / hide", "ko": "펼치기/접기"},
    "action.previous": {"en": "◀ Previous", "ko": "◀ 이전"},
    "action.more": {"en": "More ▶", "ko": "더 보기 ▶"},
    "action.skip_phase": {"en": "Skip phase", "ko": "단계 건너뛰기"},
    "action.confirm_skip": {"en": "Skip this phase", "ko": "이 단계 건너뛰기"},
    "action.take": {"en": "Take it", "ko": "내가 맡기"},
    "action.save_task": {"en": "Save", "ko": "저장"},
    "task.form_hint": {
        "en": "Save applies every field you changed. Empty the owner or the date to clear it.",
        "ko": "저장하면 바꾼 항목이 모두 반영됩니다. 담당자나 기한을 비우면 해제됩니다.",
    },
    "task.saved": {"en": "Saved: {fields}.", "ko": "저장했습니다: {fields}."},
    "task.saved.owner": {"en": "owner", "ko": "담당자"},
    "task.saved.due": {"en": "due date", "ko": "기한"},
    "task.saved.note": {"en": "a note", "ko": "메모"},
    "task.saved.nothing": {
        "en": "Nothing to save: no field was changed.",
        "ko": "바뀐 항목이 없어 저장하지 않았습니다.",
    },
    "list.separator": {"en": ", ", "ko": ", "},
    "action.back_to_phase": {"en": "Back to {phase}", "ko": "{phase}(으)로 돌아가기"},
    "action.settings": {"en": "Settings", "ko": "설정"},
    "action.setup": {"en": "Set up engagement", "ko": "프로젝트 설정"},
    "action.save_setup": {"en": "Save", "ko": "저장"},
    "phase.target": {"en": "Target end", "ko": "목표 종료일"},
    "phase.skipped": {"en": "Skipped by {who}: {reason}", "ko": "{who}님이 건너뜀: {reason}"},
    "phase.skip_note": {
        "en": "Only the project manager or a deputy can skip a phase. The reason is "
        "recorded, and a skipped phase needs no sign-off.",
        "ko": "단계 건너뛰기는 프로젝트 관리자나 대리인만 할 수 있으며 이유가 기록됩니다. "
        "건너뛴 단계는 승인이 필요 없습니다.",
    },
    "phase.page": {"en": "Page {page} of {pages}", "ko": "{pages}쪽 중 {page}쪽"},
    "input.skip_reason.label": {"en": "Why skip this phase?", "ko": "건너뛰는 이유"},
    "input.owner.label": {"en": "Owner", "ko": "담당자"},
    "input.due.label": {"en": "Due date", "ko": "기한"},
    "input.note.label": {"en": "Add a note", "ko": "메모 추가"},
    "intro.kicker": {"en": "Phase walkthrough", "ko": "단계 안내"},
    "intro.must_do": {"en": "What your team must do", "ko": "우리 팀이 할 일"},
    "intro.microsoft": {"en": "What Microsoft does", "ko": "Microsoft가 하는 일"},
    "intro.microsoft_source": {
        "en": "From Microsoft's description of the FastTrack Center Benefit process for EMS.",
        "ko": "Microsoft의 EMS용 FastTrack Center 혜택 프로세스 설명에 따른 내용입니다.",
    },
    "welcome.setup": {
        "en": "Start by setting up the engagement: its name, services, dates, project manager, "
        "time zone, language and reminder schedule.",
        "ko": "먼저 프로젝트 이름, 서비스, 일정, 프로젝트 관리자, 표준 시간대, 언어, "
        "알림 일정을 설정하세요.",
    },
    "setup.offer": {
        "en": "This engagement is not set up yet.",
        "ko": "이 프로젝트는 아직 설정되지 않았습니다.",
    },
    "setup.title": {"en": "Engagement setup", "ko": "프로젝트 설정"},
    "setup.intro": {
        "en": "Nothing is saved until every field is valid.",
        "ko": "모든 항목이 올바를 때만 저장됩니다.",
    },
    "setup.has_errors": {
        "en": "Please fix the fields marked below. Nothing was saved.",
        "ko": "아래 표시된 항목을 고쳐 주세요. 아무것도 저장되지 않았습니다.",
    },
    "setup.name": {"en": "Engagement name", "ko": "프로젝트 이름"},
    "setup.services": {"en": "Services in scope", "ko": "대상 서비스"},
    "setup.kickoff": {"en": "Kickoff date", "ko": "시작일"},
    "setup.target": {"en": "Target end of {phase}", "ko": "{phase} 목표 종료일"},
    "setup.manager": {"en": "Customer project manager", "ko": "고객 프로젝트 관리자"},
    "setup.time_zone_choice": {
        "en": "Time zone: search by city, or type its name below",
        "ko": "표준 시간대: 도시 이름으로 검색하거나 아래에 입력하세요",
    },
    "setup.time_zone": {
        "en": "Time zone (IANA name, e.g. Asia/Seoul)",
        "ko": "표준 시간대(IANA 이름, 예: Asia/Seoul)",
    },
    "setup.language": {"en": "Language", "ko": "언어"},
    "setup.channel": {
        "en": "Channel for reminders and announcements",
        "ko": "알림과 공지를 올릴 채널",
    },
    "setup.channel_general": {"en": "General", "ko": "일반"},
    "setup.nudge_days": {"en": "Reminder days", "ko": "알림 요일"},
    "setup.nudge_hour": {
        "en": "Reminder hour, in the time zone above",
        "ko": "알림 시각(위 표준 시간대 기준)",
    },
    "setup.saved": {"en": "Setup saved.", "ko": "설정이 저장되었습니다."},
    # The seed's (2016) product names, with today's beside them.
    "service.aad_premium": {
        "en": "Azure AD Premium (now Microsoft Entra ID P1/P2)",
        "ko": "Azure AD Premium(현재 Microsoft Entra ID P1/P2)",
    },
    "service.intune": {"en": "Microsoft Intune", "ko": "Microsoft Intune"},
    "service.rms": {
        "en": "Azure Rights Management (Azure Information Protection)",
        "ko": "Azure Rights Management(Azure Information Protection)",
    },
    "weekday.0": {"en": "Monday", "ko": "월요일"},
    "weekday.1": {"en": "Tuesday", "ko": "화요일"},
    "weekday.2": {"en": "Wednesday", "ko": "수요일"},
    "weekday.3": {"en": "Thursday", "ko": "목요일"},
    "weekday.4": {"en": "Friday", "ko": "금요일"},
    "weekday.5": {"en": "Saturday", "ko": "토요일"},
    "weekday.6": {"en": "Sunday", "ko": "일요일"},
    "form.error.required": {"en": "This field is required.", "ko": "필수 항목입니다."},
    "form.error.too_long": {"en": "This is too long.", "ko": "너무 깁니다."},
    "form.error.bad_date": {
        "en": "Use a date like 2026-12-31.",
        "ko": "2026-12-31 형식의 날짜를 입력하세요.",
    },
    "form.error.date_order": {
        "en": "This date is before an earlier phase's date.",
        "ko": "앞 단계의 날짜보다 이릅니다.",
    },
    "form.error.unknown_time_zone": {
        "en": "Unknown time zone. Use an IANA name such as Asia/Seoul.",
        "ko": "알 수 없는 표준 시간대입니다. Asia/Seoul 같은 IANA 이름을 사용하세요.",
    },
    "form.error.unknown_person": {
        "en": "That person is not in this conversation.",
        "ko": "이 대화에 없는 사람입니다.",
    },
    "form.error.bad_choice": {
        "en": "Pick one of the listed options.",
        "ko": "목록에서 선택하세요.",
    },
    "mytasks.title": {"en": "My tasks", "ko": "내 작업"},
    "mytasks.unnamed": {"en": "Engagement not set up", "ko": "설정 전 프로젝트"},
    "mytasks.private": {
        "en": "{name}'s task list is shown only to them. Type “my tasks” to see yours.",
        "ko": "{name}님의 작업 목록은 본인에게만 보입니다. 내 목록은 “내 작업”을 입력하세요.",
    },
    "mytasks.send_hint": {
        "en": "If the list does not appear here, “Send to my chat” posts yours to your personal "
        "chat with the bot.",
        "ko": "목록이 여기에 보이지 않으면 “내 채팅으로 보내기”를 누르세요. 봇과의 개인 채팅으로 "
        "내 목록을 보내 드립니다.",
    },
    "mytasks.send": {"en": "Send to my chat", "ko": "내 채팅으로 보내기"},
    "mytasks.sent": {
        "en": "Sent: your task list is in your personal chat with the bot.",
        "ko": "봇과의 개인 채팅으로 작업 목록을 보냈습니다.",
    },
    "mytasks.send_failed": {
        "en": "I could not reach your personal chat with the bot. Add the app for yourself, "
        "then try again.",
        "ko": "봇과의 개인 채팅에 보낼 수 없습니다. 앱을 개인용으로 추가한 뒤 다시 시도하세요.",
    },
    "mytasks.none": {"en": "No tasks are assigned to you.", "ko": "나에게 지정된 작업이 없습니다."},
    "mytasks.more": {"en": "…and {count} more.", "ko": "…외 {count}개."},
    "announce.phase_complete": {"en": "✅ {phase} is complete", "ko": "✅ {phase} 단계 완료"},
    "announce.skipped": {"en": "⏭ {phase} was skipped", "ko": "⏭ {phase} 단계를 건너뛰었습니다"},
    "action.undo_skip": {"en": "Undo skip", "ko": "건너뛰기 취소"},
    "phase.skipped_notice": {
        "en": "{phase} is skipped. The project manager can undo it from the phase card.",
        "ko": "{phase} 단계를 건너뛰었습니다. 프로젝트 관리자는 단계 카드에서 취소할 수 있습니다.",
    },
    "phase.which": {
        "en": "Which phase? Pick one below, or type “phase” and its name, e.g. “phase assess”.",
        "ko": "어느 단계인가요? 아래에서 고르거나 “단계 평가”처럼 단계 이름을 함께 입력하세요.",
    },
    "phase.unskipped": {
        "en": "{phase} is back in the plan.",
        "ko": "{phase} 단계를 다시 진행합니다.",
    },
    "announce.phase_skipped": {
        "en": "Skipped by {who}: {reason}",
        "ko": "{who}님이 건너뜀: {reason}",
    },
    "error.not_permitted": {
        "en": "Only the project manager can do that. Nothing was changed.",
        "ko": "프로젝트 관리자만 할 수 있습니다. 아무것도 변경되지 않았습니다.",
    },
    "error.not_owner": {
        "en": "Only the task's owner can change it from here. Nothing was changed.",
        "ko": "여기에서는 작업 담당자만 변경할 수 있습니다. 아무것도 변경되지 않았습니다.",
    },
    "nudge.kicker": {"en": "Reminder", "ko": "알림"},
    "nudge.stalled": {
        "en": "⏸ {phase} has had no progress for 5 days.",
        "ko": "⏸ {phase} 단계가 5일 동안 진행되지 않았습니다.",
    },
    "nudge.overdue": {"en": "Overdue", "ko": "기한 지남"},
    "nudge.due_soon": {"en": "Due in the next 3 days", "ko": "3일 안에 기한"},
    "nudge.unowned": {"en": "Needs an owner", "ko": "담당자 필요"},
    "nudge.snoozed": {
        "en": "Reminders snoozed until {when}.",
        "ko": "{when}까지 알림을 미룹니다.",
    },
    "nudge.stopped": {"en": "Reminders are stopped.", "ko": "알림이 중지되었습니다."},
    "nudge.resumed": {"en": "Reminders are on again.", "ko": "알림이 다시 켜졌습니다."},
    "status.unreachable": {
        "en": "⚠ I can't post in this engagement's channel (the app was removed or blocked): "
        "reminders are paused until I'm back.",
        "ko": "⚠ 이 프로젝트의 채널에 게시할 수 없습니다(앱이 제거되었거나 차단됨). "
        "다시 연결될 때까지 알림이 중지됩니다.",
    },
    "status.paused": {
        "en": "Reminders are stopped by the project manager.",
        "ko": "프로젝트 관리자가 알림을 중지했습니다.",
    },
    "action.snooze": {"en": "Snooze 1 day", "ko": "하루 미루기"},
    "action.stop_nudges": {"en": "Stop reminders", "ko": "알림 중지"},
    "action.resume_nudges": {"en": "Resume reminders", "ko": "알림 다시 켜기"},
    "action.change_schedule": {"en": "Change schedule", "ko": "일정 변경"},
    "error.tenant_not_allowed": {
        "en": "This bot is not available for your organization.",
        "ko": "이 봇은 귀하의 조직에서 사용할 수 없습니다.",
    },
    "error.unknown_person": {
        "en": "That person is not in this conversation. Nothing was changed.",
        "ko": "이 대화에 없는 사람입니다. 아무것도 변경되지 않았습니다.",
    },
    "error.text_required": {"en": "Please write something first.", "ko": "내용을 입력하세요."},
    "error.owner_required": {
        "en": "Name who is responsible first: take the duty or assign an owner, then "
        "acknowledge it. Nothing was changed.",
        "ko": "먼저 담당자를 정하세요. 직접 맡거나 담당자를 지정한 다음 책임을 확인할 수 "
        "있습니다. 아무것도 변경되지 않았습니다.",
    },
    "error.owner_kept": {
        "en": "An acknowledged duty keeps an owner: assign someone else, or reopen it first. "
        "Nothing was changed.",
        "ko": "책임을 확인한 항목에는 담당자가 있어야 합니다. 다른 사람을 지정하거나 먼저 "
        "다시 여세요. 아무것도 변경되지 않았습니다.",
    },
    "error.wrong_kind_of_task": {
        "en": "Phase tasks are marked done and standing duties are acknowledged; that button "
        "does not fit this item. Nothing was changed.",
        "ko": "단계 작업은 완료로, 상시 책임은 책임 확인으로 표시합니다. 이 항목에는 맞지 않는 "
        "버튼입니다. 아무것도 변경되지 않았습니다.",
    },
    "error.out_of_scope": {
        "en": "This task concerns a service that is not in scope. Add the service in "
        "Settings to work on it. Nothing was changed.",
        "ko": "대상 서비스가 아닌 서비스의 작업입니다. 설정에서 해당 서비스를 대상에 추가하면 "
        "진행할 수 있습니다. 아무것도 변경되지 않았습니다.",
    },
    "error.bad_date": {
        "en": "Use a date like 2026-12-31. Nothing was changed.",
        "ko": "2026-12-31 형식의 날짜를 입력하세요. 아무것도 변경되지 않았습니다.",
    },
}
STRINGS.update(REPORT_STRINGS)
STRINGS.update(TASK_STRINGS)
STRINGS.update(MEETING_STRINGS)
STRINGS.update(SIGNOFF_STRINGS)
STRINGS.update(TEAMS_STRINGS)


# Korean particles depend on whether the word before them ends in a consonant (받침). A
# string writes both forms after a placeholder, e.g. "{phase}(으)로", and the one that fits
# the word put in is chosen, so no card ever shows "(으)로".
_PARTICLE = re.compile(r"(\S)(\(으\)로|이\(가\)|을\(를\)|은\(는\)|과\(와\))")
_FORMS = {
    "(으)로": ("으로", "로"),
    "이(가)": ("이", "가"),
    "을(를)": ("을", "를"),
    "은(는)": ("은", "는"),
    "과(와)": ("과", "와"),
}
_HANGUL_FIRST, _HANGUL_LAST, _RIEUL = 0xAC00, 0xD7A3, 8
# How digits are read: 영 일 이 삼 사 오 육 칠 팔 구 (the final consonant of each, 0 = none).
_DIGIT_FINALS = {"0": 21, "1": 8, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": 8, "8": 8, "9": 0}


def _final_consonant(char: str) -> int:
    if char in _DIGIT_FINALS:
        return _DIGIT_FINALS[char]
    code = ord(char)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return (code - _HANGUL_FIRST) % 28
    return 0  # other scripts: read as ending in a vowel


def _particle(match: re.Match[str]) -> str:
    char, written = match.group(1), match.group(2)
    after_consonant, after_vowel = _FORMS[written]
    final = _final_consonant(char)
    # "로" also follows ㄹ: 서울로, 일로.
    if written == "(으)로":
        return char + (after_vowel if final in (0, _RIEUL) else after_consonant)
    return char + (after_consonant if final else after_vowel)


def with_particles(korean: str) -> str:
    return _PARTICLE.sub(_particle, korean)


def language_for(locale: str | None) -> Language:
    """Korean for any ko locale (ko, ko-KR, ko_KR), English otherwise."""
    return "ko" if (locale or "").strip().lower().startswith("ko") else "en"


def text(lang: Language, key: str, **params: object) -> str:
    formatted = STRINGS[key][lang].format(**params)
    return with_particles(formatted) if lang == "ko" and params else formatted
