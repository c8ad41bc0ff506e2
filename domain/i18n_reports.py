"""The words of the status report, the history, the export and the personal reminders, in
English and Korean; domain/i18n.py merges them into its STRINGS (kept apart so these
features' texts sit together)."""

from __future__ import annotations

from typing import Final

from domain.catalog import Language

REPORT_STRINGS: Final[dict[str, dict[Language, str]]] = {
    "setup.report_day": {"en": "Weekly report day", "ko": "주간 보고서 요일"},
    "setup.report_hour": {"en": "Weekly report hour", "ko": "주간 보고서 시각"},
    "report.kicker": {"en": "Status report", "ko": "상태 보고서"},
    "report.period": {"en": "Since {since}", "ko": "{since} 이후"},
    "report.settled": {"en": "Settled since the last report", "ko": "지난 보고 이후 처리한 작업"},
    "report.settled_none": {
        "en": "Nothing was settled in this period.",
        "ko": "이 기간에 처리한 작업이 없습니다.",
    },
    "report.overdue": {"en": "Overdue", "ko": "기한 지남"},
    "report.schedule": {"en": "Schedule against the target ends", "ko": "목표 종료일 대비 일정"},
    "report.rule": {
        "en": "Late: past the target end with required tasks open. At risk: fewer than "
        "{days} days left per open required task.",
        "ko": "지연: 목표 종료일이 지났는데 필수 작업이 남아 있습니다. 위험: 남은 필수 작업 "
        "하나당 남은 날이 {days}일보다 적습니다.",
    },
    "report.unowned": {"en": "Required tasks without an owner", "ko": "담당자 없는 필수 작업"},
    "report.scope": {"en": "Changes in scope", "ko": "범위 변경"},
    "report.scope_in": {"en": "back in scope", "ko": "다시 대상에 포함"},
    "report.scope_out": {"en": "out of scope", "ko": "대상에서 제외"},
    "report.chart_alt": {
        "en": "Settled tasks per phase over time against the target ends",
        "ko": "단계별로 처리한 작업 수의 추이와 목표 종료일",
    },
    "report.more": {"en": "and {count} more", "ko": "외 {count}개"},
    "report.phase_line": {
        "en": "{phase}: {status} · {settled} of {total} · target {target}",
        "ko": "{phase}: {status} · {total}개 중 {settled}개 · 목표 {target}",
    },
    "schedule.done": {"en": "done", "ko": "완료"},
    "schedule.on_track": {"en": "on track", "ko": "정상"},
    "schedule.at_risk": {"en": "at risk", "ko": "위험"},
    "schedule.late": {"en": "late", "ko": "지연"},
    "schedule.no_target": {"en": "no target", "ko": "목표 없음"},
    "chart.axis": {"en": "Settled tasks", "ko": "처리한 작업"},
    "chart.target": {"en": "target", "ko": "목표"},
    "action.report": {"en": "Report", "ko": "보고서"},
    "action.history": {"en": "History", "ko": "기록"},
    "action.export": {"en": "Export", "ko": "내보내기"},
    "action.newer": {"en": "Newer", "ko": "최근 기록"},
    "action.older": {"en": "Older", "ko": "이전 기록"},
    "action.all_history": {"en": "All tasks", "ko": "모든 작업"},
    "history.title": {"en": "History", "ko": "변경 기록"},
    "history.of_task": {"en": "History of {task}", "ko": "{task} 변경 기록"},
    "history.none": {"en": "Nothing has changed yet.", "ko": "아직 변경된 내용이 없습니다."},
    "history.page": {"en": "Page {page} of {pages}", "ko": "{pages}쪽 중 {page}쪽"},
    "history.reason": {"en": "Reason: {reason}", "ko": "사유: {reason}"},
    "history.engagement": {"en": "Project", "ko": "프로젝트"},
    "change.status": {"en": "status {before} → {after}", "ko": "상태 {before} → {after}"},
    "change.owner": {"en": "owner {before} → {after}", "ko": "담당자 {before} → {after}"},
    "change.due": {"en": "due date {before} → {after}", "ko": "기한 {before} → {after}"},
    "change.note": {"en": "note added: {after}", "ko": "메모 추가: {after}"},
    "change.skip": {"en": "phase skipped", "ko": "단계 건너뜀"},
    "change.profile": {"en": "setup saved: {after}", "ko": "설정 저장: {after}"},
    "change.nudges": {"en": "reminders {after}", "ko": "알림 {after}"},
    "change.snooze": {"en": "reminders snoozed until {after}", "ko": "{after}까지 알림 미룸"},
    "change.scope": {"en": "scope {before} → {after}", "ko": "범위 {before} → {after}"},
    "change.role": {"en": "setup by {before} → {after}", "ko": "설정 권한 {before} → {after}"},
    "change.channel": {"en": "channel {before} → {after}", "ko": "채널 {before} → {after}"},
    "change.none": {"en": "none", "ko": "없음"},
    "state.open": {"en": "open", "ko": "남음"},
    "state.done": {"en": "done", "ko": "완료"},
    "state.acknowledged": {"en": "acknowledged", "ko": "책임 확인"},
    "state.not_applicable": {"en": "not applicable", "ko": "해당 없음"},
    "state.in": {"en": "in scope", "ko": "대상"},
    "state.out": {"en": "out of scope", "ko": "대상 외"},
    "state.on": {"en": "on", "ko": "켜짐"},
    "state.off": {"en": "off", "ko": "꺼짐"},
    "export.title": {"en": "Export", "ko": "내보내기"},
    "export.body": {
        "en": "Download the checklist, its history and the notes. The links work for "
        "{minutes} minutes and only for this project.",
        "ko": "체크리스트와 변경 기록, 메모를 내려받습니다. 링크는 {minutes}분 동안 이 "
        "프로젝트에만 유효합니다.",
    },
    "export.xlsx": {"en": "Workbook (.xlsx)", "ko": "통합 문서(.xlsx)"},
    "export.csv": {"en": "Checklist (.csv)", "ko": "체크리스트(.csv)"},
    "sheet.checklist": {"en": "Checklist", "ko": "체크리스트"},
    "sheet.history": {"en": "History", "ko": "변경 기록"},
    "sheet.notes": {"en": "Notes", "ko": "메모"},
    "sheet.own_tasks": {"en": "Own tasks", "ko": "추가한 작업"},
    "column.line": {
        "en": "Line (paste into 'add task')",
        "ko": "줄('작업 추가'에 붙여 넣기)",
    },
    "column.phase": {"en": "Phase", "ko": "단계"},
    "column.task": {"en": "Task", "ko": "작업"},
    "column.status": {"en": "Status", "ko": "상태"},
    "column.owner": {"en": "Owner", "ko": "담당자"},
    "column.due": {"en": "Due date", "ko": "기한"},
    "column.settled_by": {"en": "Settled by", "ko": "처리한 사람"},
    "column.settled_at": {"en": "Settled at", "ko": "처리 일시"},
    "column.reason": {"en": "Reason", "ko": "사유"},
    "column.last_note": {"en": "Last note", "ko": "마지막 메모"},
    "column.when": {"en": "When", "ko": "일시"},
    "column.who": {"en": "Who", "ko": "변경한 사람"},
    "column.subject": {"en": "Subject", "ko": "대상"},
    "column.change": {"en": "Change", "ko": "변경 항목"},
    "column.before": {"en": "Before", "ko": "변경 전"},
    "column.after": {"en": "After", "ko": "변경 후"},
    "column.author": {"en": "Author", "ko": "작성자"},
    "column.note": {"en": "Note", "ko": "메모"},
    "reminder.title": {"en": "Your overdue tasks", "ko": "기한이 지난 내 작업"},
    "reminder.intro": {
        "en": "{name}, {count} of the tasks you own are overdue.",
        "ko": "{name} 님, 담당한 작업 중 {count}개가 기한을 지났습니다.",
    },
    "reminder.why": {
        "en": "Personal reminders come at most once a day, on the days of the channel's "
        "reminders. Only you can stop yours.",
        "ko": "개인 알림은 채널 알림이 있는 날에 하루 한 번까지 옵니다. 내 개인 알림은 나만 "
        "끌 수 있습니다.",
    },
    "reminder.stop": {"en": "Stop personal reminders", "ko": "개인 알림 끄기"},
    "reminder.resume": {"en": "Turn personal reminders on", "ko": "개인 알림 켜기"},
    "reminder.off": {
        "en": "Personal reminders are off. The channel's reminders still mention you.",
        "ko": "개인 알림을 껐습니다. 채널 알림에서는 계속 멘션됩니다.",
    },
    "reminder.on": {
        "en": "Personal reminders are on: overdue tasks you own come here at most once a day.",
        "ko": "개인 알림을 켰습니다. 기한이 지난 내 작업을 하루 한 번까지 여기로 보냅니다.",
    },
}
