"""The words of the engagement's own tasks (adding a checklist, removing and restoring a
task), in English and Korean; domain/i18n.py merges them into its STRINGS."""

from __future__ import annotations

from typing import Final

from domain.catalog import Language

TASK_STRINGS: Final[dict[str, dict[Language, str]]] = {
    "action.add_tasks": {"en": "Add tasks", "ko": "작업 추가"},
    "action.check_tasks": {"en": "Check", "ko": "확인"},
    "action.create_tasks": {"en": "Create {count} tasks", "ko": "작업 {count}개 만들기"},
    "action.create_valid_tasks": {
        "en": "Create the {count} readable tasks only",
        "ko": "읽을 수 있는 작업 {count}개만 만들기",
    },
    "action.remove_task": {"en": "Remove", "ko": "삭제"},
    "action.restore_task": {"en": "Undo", "ko": "실행 취소"},
    "own.title": {"en": "Add tasks", "ko": "작업 추가"},
    "own.phase": {"en": "Phase", "ko": "단계"},
    "own.lines": {"en": "Tasks, one a line", "ko": "작업(한 줄에 하나)"},
    "own.format": {
        "en": "Each line: title | owner | due date | description (all but the title "
        "optional). The owner is someone in this conversation, by name; the date like "
        "2026-12-31.",
        "ko": "한 줄 형식: 제목 | 담당자 | 기한 | 설명(제목 외에는 선택). 담당자는 이 대화에 있는 "
        "사람의 이름이고, 기한은 2026-12-31 형식입니다.",
    },
    "own.preview": {
        "en": "{count} tasks will be added to {phase}:",
        "ko": "{phase}에 작업 {count}개를 추가합니다.",
    },
    "own.more": {"en": "…and {count} more", "ko": "…외 {count}개"},
    "own.errors": {
        "en": "These lines could not be read; nothing was created:",
        "ko": "다음 줄을 읽을 수 없어 아무것도 만들지 않았습니다.",
    },
    "own.kept": {
        "en": "Your list of {count} lines is kept for Create. To change it, paste the "
        "changed list and check it again.",
        "ko": "입력한 {count}줄 목록은 만들기에 쓰도록 보관했습니다. "
        "바꾸려면 바꾼 목록을 붙여 넣고 다시 확인하세요.",
    },
    "own.empty": {"en": "Write at least one task.", "ko": "작업을 한 줄 이상 입력하세요."},
    "own.changed": {
        "en": "The list changed since it was checked; check it again.",
        "ko": "확인한 뒤 목록이 바뀌었습니다. 다시 확인하세요.",
    },
    "own.removed": {
        "en": "Removed: {task}. It can be restored for 7 days.",
        "ko": "삭제했습니다: {task}. 7일 동안 되돌릴 수 있습니다.",
    },
    "own.line": {
        "en": "Line {line}: {problem} ({text})",
        "ko": "{line}번째 줄: {problem} ({text})",
    },
    "checklist.error.no_title": {"en": "no title", "ko": "제목이 없습니다"},
    "checklist.error.title_too_long": {
        "en": "the title is longer than 150 characters",
        "ko": "제목이 150자보다 깁니다",
    },
    "checklist.error.description_too_long": {
        "en": "the description is longer than 300 characters",
        "ko": "설명이 300자보다 깁니다",
    },
    "checklist.error.unknown_person": {
        "en": "nobody in this conversation has that name",
        "ko": "이 대화에 그 이름의 사람이 없습니다",
    },
    "checklist.error.bad_date": {
        "en": "the date is not like 2026-12-31",
        "ko": "기한이 2026-12-31 형식이 아닙니다",
    },
    "change.task": {"en": "task {before} → {after}", "ko": "작업 {before} → {after}"},
    "own.state.added": {"en": "on the checklist", "ko": "체크리스트에 있음"},
    "own.state.removed": {"en": "removed", "ko": "삭제됨"},
    "change.edit": {"en": "task edited: {before} → {after}", "ko": "작업 수정: {before} → {after}"},
    "action.edit_task": {"en": "Edit", "ko": "수정"},
    "action.save_edit": {"en": "Save", "ko": "저장"},
    "own.edit_title": {"en": "Edit the task", "ko": "작업 수정"},
    "own.edit_name": {"en": "Title", "ko": "제목"},
    "own.edit_description": {"en": "Description", "ko": "설명"},
    "error.edit_conflict": {
        "en": "Someone edited this task after the form was opened. Nothing was changed; "
        "open it again.",
        "ko": "양식을 연 뒤 다른 사람이 이 작업을 수정했습니다. 아무것도 변경되지 않았습니다. "
        "다시 여세요.",
    },
    "error.too_many_tasks": {
        "en": "An engagement holds at most {limit} tasks of its own. Nothing was changed.",
        "ko": "프로젝트에 직접 추가한 작업은 {limit}개까지입니다. 아무것도 변경되지 않았습니다.",
    },
    "error.catalog_task_kept": {
        "en": "Tasks of the FastTrack checklist can't be removed; mark it not applicable "
        "instead. Nothing was changed.",
        "ko": "FastTrack 체크리스트의 작업은 삭제할 수 없습니다. 대신 해당 없음으로 표시하세요. "
        "아무것도 변경되지 않았습니다.",
    },
    "error.restore_expired": {
        "en": "A removed task can be restored for 7 days only. Nothing was changed.",
        "ko": "삭제한 작업은 7일 동안만 되돌릴 수 있습니다. 아무것도 변경되지 않았습니다.",
    },
}
