"""The setup form: the engagement profile in one card, shown again with errors until valid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cards.common import (
    Card,
    Element,
    View,
    adaptive_card,
    execute,
    heading,
    paragraph,
    people_picker,
    text_input,
)
from domain.catalog import SERVICES, Catalog
from domain.profile import (
    DEFAULT_HOUR,
    DEFAULT_REPORT_DAY,
    DEFAULT_WEEKDAYS,
    MAX_NAME_CHARS,
    Channel,
    Person,
    Profile,
)

# The roles' pickers list fewer people statically than the project manager's, to keep the
# form within Teams' card size with three pickers (Teams' own search finds everyone).
ROLE_PICKER_LISTED = 12
DEFAULT_TIME_ZONE = {"ko": "Asia/Seoul", "en": "UTC"}
# What the zone choice offers before anything is typed (and all that clients without Teams'
# typeahead offer); the typed field below it takes any other zone.
COMMON_ZONES = {
    "ko": ("Asia/Seoul", "UTC", "Asia/Tokyo", "America/Los_Angeles", "Europe/London"),
    "en": ("UTC", "America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Seoul"),
}


def form_input_ids(catalog: Catalog) -> frozenset[str]:
    """The ids of the form's inputs: what a submitted form may carry."""
    fixed = (
        *("name", "services", "kickoff", "projectManager", "fastTrackEngineers", "deputies"),
        *("timeZoneChoice", "timeZone", "language", "channel"),
    )
    targets = (f"target.{phase.id}" for phase in catalog.phases)
    return frozenset((*fixed, *targets, "nudgeDays", "nudgeHour", "reportDay", "reportHour"))


def form_values(profile: Profile | None, view: View) -> dict[str, str]:
    """What the form shows: the saved profile, or defaults for a new engagement."""
    if profile is None:
        return {
            "services": ",".join(SERVICES),
            "timeZone": DEFAULT_TIME_ZONE[view.lang],
            "language": view.lang,
            "nudgeDays": ",".join(str(d) for d in sorted(DEFAULT_WEEKDAYS)),
            "nudgeHour": str(DEFAULT_HOUR),
            "reportDay": str(DEFAULT_REPORT_DAY),
            "reportHour": str(DEFAULT_HOUR),
        }
    values = {
        "name": profile.name,
        "services": ",".join(sorted(profile.services)),
        "kickoff": profile.kickoff.isoformat(),
        "projectManager": profile.project_manager.id,
        "fastTrackEngineers": ",".join(p.id for p in profile.fasttrack_engineers),
        "deputies": ",".join(p.id for p in profile.deputies),
        "timeZone": profile.time_zone,
        "language": profile.language,
        "nudgeDays": ",".join(str(d) for d in sorted(profile.schedule.weekdays)),
        "nudgeHour": str(profile.schedule.hour),
        "reportDay": str(min(profile.report_schedule.weekdays)),
        "reportHour": str(profile.report_schedule.hour),
    }
    values |= {f"target.{k}": v.isoformat() for k, v in profile.phase_targets.items()}
    return values


def _error(view: View, errors: dict[str, str], field: str) -> list[Element]:
    if field not in errors:
        return []
    return [
        paragraph(
            view.t(f"form.error.{errors[field]}"), color="Attention", size="Small", spacing="None"
        )
    ]


def _choices(options: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "value": value} for title, value in options]


def setup_card(
    catalog: Catalog,
    view: View,
    *,
    values: dict[str, Any],
    members: list[Person],
    channels: list[Channel],
    errors: dict[str, str] | None = None,
) -> Card:
    """The form; `channels` (a team's, else none) offers where nudges and announcements go."""
    errors = errors or {}

    def value(key: str) -> str:
        raw = values.get(key)
        return raw[:200] if isinstance(raw, str) else ""

    body: list[Element] = [
        heading(view.t("setup.title"), size="Medium"),
        paragraph(view.t("setup.intro"), isSubtle=True),
    ]
    if errors:
        body.append(paragraph(view.t("setup.has_errors"), color="Attention", weight="Bolder"))
    body.append(
        text_input(
            "name",
            view.t("setup.name"),
            max_length=MAX_NAME_CHARS,
            value=value("name"),
            required=True,
            error=view.t("form.error.required"),
        )
    )
    body += _error(view, errors, "name")
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "services",
            "label": view.t("setup.services"),
            "isMultiSelect": True,
            "style": "expanded",
            "value": value("services"),
            "choices": _choices([(view.t(f"service.{s}"), s) for s in SERVICES]),
        }
    )
    body += _error(view, errors, "services")
    body.append(
        {
            "type": "Input.Date",
            "id": "kickoff",
            "label": view.t("setup.kickoff"),
            **({"value": value("kickoff")} if value("kickoff") else {}),
        }
    )
    body += _error(view, errors, "kickoff")
    for phase in catalog.phases:
        key = f"target.{phase.id}"
        body.append(
            {
                "type": "Input.Date",
                "id": key,
                "label": view.t("setup.target", phase=phase.name.in_(view.lang)),
                **({"value": value(key)} if value(key) else {}),
            }
        )
        body += _error(view, errors, key)
    body.append(
        people_picker(
            "projectManager",
            view.t("setup.manager"),
            members,
            value=value("projectManager"),
            required=view.t("form.error.required"),
        )
    )
    body += _error(view, errors, "projectManager")
    for key, label in (("fastTrackEngineers", "setup.fasttrack"), ("deputies", "setup.deputies")):
        picker = people_picker(
            key, view.t(label), members, value(key), multiple=True, listed=ROLE_PICKER_LISTED
        )
        body.append(picker)
        body += _error(view, errors, key)
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "timeZoneChoice",
            "label": view.t("setup.time_zone_choice"),
            "style": "compact",
            "choices": [{"title": z, "value": z} for z in COMMON_ZONES[view.lang]],
            # Teams' typeahead: the bot answers the search (dialogs/zones.py).
            "choices.data": {"type": "Data.Query", "dataset": "timezones"},
        }
    )
    body.append(
        text_input(
            "timeZone",
            view.t("setup.time_zone"),
            max_length=64,
            value=value("timeZone"),
            placeholder="Asia/Seoul",
        )
    )
    body += _error(view, errors, "timeZone")
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "language",
            "label": view.t("setup.language"),
            "style": "compact",
            "value": value("language"),
            "choices": _choices([("한국어", "ko"), ("English", "en")]),
        }
    )
    body += _error(view, errors, "language")
    if channels:
        named = [(c.name or view.t("setup.channel_general"), c.id) for c in channels[:100]]
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "channel",
                "label": view.t("setup.channel"),
                "style": "compact",
                "value": value("channel"),
                "choices": _choices(named),
            }
        )
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "nudgeDays",
            "label": view.t("setup.nudge_days"),
            "isMultiSelect": True,
            "style": "compact",
            "value": value("nudgeDays"),
            "choices": _choices([(view.t(f"weekday.{d}"), str(d)) for d in range(7)]),
        }
    )
    body += _error(view, errors, "nudgeDays")
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": "nudgeHour",
            "label": view.t("setup.nudge_hour"),
            "style": "compact",
            "value": value("nudgeHour"),
            "choices": _choices([(f"{h:02d}:00", str(h)) for h in range(24)]),
        }
    )
    body += _error(view, errors, "nudgeHour")
    body += _report_schedule(view, errors, value)
    return adaptive_card(
        body, [execute(view.t("action.save_setup"), "setup.save", style="positive")]
    )


def _report_schedule(
    view: View, errors: dict[str, str], value: Callable[[str], str]
) -> list[Element]:
    """When the weekly status report is posted: one weekday, one hour."""
    day = {
        "type": "Input.ChoiceSet",
        "id": "reportDay",
        "label": view.t("setup.report_day"),
        "style": "compact",
        "value": value("reportDay"),
        "choices": _choices([(view.t(f"weekday.{d}"), str(d)) for d in range(7)]),
    }
    hour = {
        "type": "Input.ChoiceSet",
        "id": "reportHour",
        "label": view.t("setup.report_hour"),
        "style": "compact",
        "value": value("reportHour"),
        "choices": _choices([(f"{h:02d}:00", str(h)) for h in range(24)]),
    }
    return [day, *_error(view, errors, "reportDay"), hour, *_error(view, errors, "reportHour")]
