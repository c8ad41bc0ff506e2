"""The words of the meeting log (the form, a meeting's minutes, the last and next meeting
on the overview and the report), in English and Korean; domain/i18n.py merges them into its
STRINGS."""

from __future__ import annotations

from typing import Final

from domain.catalog import Language

MEETING_STRINGS: Final[dict[str, dict[Language, str]]] = {
    "action.record_meeting": {"en": "Record a meeting", "ko": "회의 기록"},
    "action.save_meeting": {"en": "Save meeting", "ko": "회의 저장"},
    "action.open_last_meeting": {"en": "Last meeting", "ko": "지난 회의"},
    "action.open_next_meeting": {"en": "Next meeting", "ko": "다음 회의"},
    "action.edit_meeting": {"en": "Edit", "ko": "수정"},
    "action.join_meeting": {"en": "Join in Teams", "ko": "Teams에서 참가"},
    "meeting.form_title": {"en": "Record a meeting: {phase}", "ko": "회의 기록: {phase}"},
    "meeting.edit_title": {"en": "Edit the meeting: {phase}", "ko": "회의 수정: {phase}"},
    "meeting.intro": {
        "en": "A planned meeting: its date, time and Teams link. A meeting held: who attended, "
        "notes, decisions and action items. FastTrack schedules the meetings; nothing is "
        "read from or written to a calendar.",
        "ko": "예정된 회의는 날짜, 시간, Teams 링크를 기록하고, 진행된 회의는 참석자, 메모, "
        "결정 사항, 후속 작업을 기록합니다. 회의 일정은 FastTrack이 정하며, 이 봇은 일정을 "
        "읽거나 쓰지 않습니다.",
    },
    "meeting.kind": {"en": "Which meeting", "ko": "회의 종류"},
    "meeting.other": {"en": "Other meeting", "ko": "기타 회의"},
    "meeting.title": {"en": "Name (for another meeting)", "ko": "회의 이름(기타 회의)"},
    "meeting.date": {"en": "Date", "ko": "날짜"},
    "meeting.time": {"en": "Time ({zone})", "ko": "시간({zone})"},
    "meeting.attendees": {"en": "Attendees", "ko": "참석자"},
    "meeting.notes": {"en": "Notes", "ko": "메모"},
    "meeting.decisions": {"en": "Decisions", "ko": "결정 사항"},
    "meeting.action_items": {"en": "Action items, one a line", "ko": "후속 작업(한 줄에 하나)"},
    "meeting.more_action_items": {
        "en": "More action items, one a line (those saved before are tasks already)",
        "ko": "추가할 후속 작업(한 줄에 하나, 이전에 저장한 항목은 이미 작업으로 추가됨)",
    },
    "meeting.action_format": {
        "en": "Each line: title | owner | due date | description. Every action item needs an "
        "owner (someone in this conversation, by name) and a due date like 2026-12-31; it "
        "becomes a task of this phase.",
        "ko": "한 줄 형식: 제목 | 담당자 | 기한 | 설명. 후속 작업마다 담당자(이 대화에 있는 사람의 "
        "이름)와 2026-12-31 형식의 기한이 있어야 하며, 이 단계의 작업으로 추가됩니다.",
    },
    "meeting.link": {"en": "Teams meeting link", "ko": "Teams 회의 링크"},
    "meeting.link_hint": {
        "en": "https://teams.microsoft.com/l/meetup-join/…",
        "ko": "https://teams.microsoft.com/l/meetup-join/…",
    },
    "meeting.planned": {"en": "Planned · {when}", "ko": "예정 · {when}"},
    "meeting.held": {"en": "Held · {when}", "ko": "진행됨 · {when}"},
    "meeting.recorded_by": {"en": "Recorded by {who}", "ko": "기록한 사람: {who}"},
    "meeting.none": {"en": "none", "ko": "없음"},
    "meeting.tasks": {"en": "Tasks from the action items", "ko": "후속 작업으로 추가된 작업"},
    "meeting.saved": {"en": "The meeting is saved.", "ko": "회의를 저장했습니다."},
    "meeting.last": {"en": "Last meeting: {title} · {when}", "ko": "지난 회의: {title} · {when}"},
    "meeting.next": {"en": "Next meeting: {title} · {when}", "ko": "다음 회의: {title} · {when}"},
    "sheet.minutes": {"en": "Minutes", "ko": "회의록"},
    "column.meeting": {"en": "Meeting", "ko": "회의"},
    "column.meeting_state": {"en": "Planned or held", "ko": "예정/진행"},
    "column.attendees": {"en": "Attendees", "ko": "참석자"},
    "column.decisions": {"en": "Decisions", "ko": "결정 사항"},
    "column.action_items": {"en": "Action items", "ko": "후속 작업"},
    "column.link": {"en": "Teams meeting link", "ko": "Teams 회의 링크"},
    "column.recorded_by": {"en": "Recorded by", "ko": "기록한 사람"},
    "meeting.state.planned": {"en": "planned", "ko": "예정"},
    "meeting.state.held": {"en": "held", "ko": "진행됨"},
    "change.meeting": {"en": "meeting recorded: {after}", "ko": "회의 기록: {after}"},
    "error.unknown_meeting": {
        "en": "That meeting is not in this engagement's log. Nothing was changed.",
        "ko": "이 프로젝트의 회의 기록에 없는 회의입니다. 아무것도 변경되지 않았습니다.",
    },
    "error.meeting_title_required": {
        "en": "Give the other meeting a name. Nothing was saved.",
        "ko": "기타 회의의 이름을 입력하세요. 아무것도 저장되지 않았습니다.",
    },
    "error.minutes_before_meeting": {
        "en": "This meeting has not started yet: notes, decisions and action items can be "
        "recorded once it has. Nothing was saved.",
        "ko": "아직 시작하지 않은 회의입니다. 메모, 결정 사항, 후속 작업은 회의가 시작된 뒤에 "
        "기록할 수 있습니다. 아무것도 저장되지 않았습니다.",
    },
    "error.bad_meeting_link": {
        "en": "That is not a Teams meeting link. Paste the join link from the meeting invitation "
        "(https://teams.microsoft.com/l/meetup-join/… or https://teams.microsoft.com/meet/…). "
        "Nothing was saved.",
        "ko": "Teams 회의 링크가 아닙니다. 회의 초대에 있는 참가 링크"
        "(https://teams.microsoft.com/l/meetup-join/… 또는 https://teams.microsoft.com/meet/…)를 "
        "붙여 넣으세요. 아무것도 저장되지 않았습니다.",
    },
    "error.action_item_unreadable": {
        "en": "Action item line {line} could not be read: write title | owner | due date, the "
        "owner someone in this conversation and the date like 2026-12-31. Nothing was saved.",
        "ko": "후속 작업 {line}번째 줄을 읽을 수 없습니다. 제목 | 담당자 | 기한 형식으로, 담당자는 "
        "이 대화에 있는 사람, 기한은 2026-12-31 형식으로 입력하세요. 아무것도 저장되지 "
        "않았습니다.",
    },
    "error.action_item_incomplete": {
        "en": "Action item line {line} needs an owner and a due date. Nothing was saved.",
        "ko": "후속 작업 {line}번째 줄에 담당자와 기한이 있어야 합니다. 아무것도 저장되지 "
        "않았습니다.",
    },
    "error.meeting_changed": {
        "en": "Someone saved this meeting since you opened the form. Open it again to see their "
        "changes; nothing was saved.",
        "ko": "양식을 연 뒤에 다른 사람이 이 회의를 저장했습니다. 회의를 다시 열어 변경 내용을 "
        "확인하세요. 아무것도 저장되지 않았습니다.",
    },
    "error.too_many_meetings": {
        "en": "At most {limit} meetings can be planned ahead. Nothing was saved.",
        "ko": "예정된 회의는 최대 {limit}개까지 기록할 수 있습니다. 아무것도 저장되지 않았습니다.",
    },
    "error.too_many_action_items": {
        "en": "At most {limit} action items at a time. Nothing was saved.",
        "ko": "후속 작업은 한 번에 최대 {limit}개까지 기록할 수 있습니다. 아무것도 저장되지 "
        "않았습니다.",
    },
    "error.bad_time": {
        "en": "Use a time like 14:30. Nothing was saved.",
        "ko": "14:30 형식의 시간을 입력하세요. 아무것도 저장되지 않았습니다.",
    },
}
