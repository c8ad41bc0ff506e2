"""The engagement profile captured by the setup form, and its validation.

Validation collects every problem at once (field → error code) so the form can come back
with all of them shown; nothing is saved until the whole form is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, Final, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.catalog import LANGUAGES, SERVICES, Catalog, Language
from domain.text import is_blank

MAX_NAME_CHARS = 100
# People named per role in setup (FastTrack engineers, deputies): a card shows them all.
MAX_ROLE_PEOPLE = 5
DEFAULT_WEEKDAYS: Final = frozenset({0, 1, 2, 3, 4})  # Monday to Friday
DEFAULT_HOUR = 9
DEFAULT_REPORT_DAY = 0  # the weekly status report: Monday, at DEFAULT_HOUR
# ASCII digits, as Input.Date sends them (\d would take "２０２６" too).
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The hours the form offers; str.isdigit() would pass "²", which int() then refuses.
_HOUR = re.compile(r"[0-9]{1,2}")

FieldError = Literal[
    "required",
    "too_long",
    "bad_date",
    "date_order",
    "unknown_time_zone",
    "unknown_person",
    "bad_choice",
    "too_many",
]


class ProfileInvalid(Exception):
    def __init__(self, errors: dict[str, FieldError]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Channel:
    """One of a team's channels, as Teams lists it; the General channel has no name."""

    id: str
    name: str


@dataclass(frozen=True)
class Person:
    """Someone in the engagement, by the id Teams can mention (an Entra object id or 29: id)."""

    id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        return cls(str(data["id"]), str(data.get("name", "")))


@dataclass(frozen=True)
class NudgeSchedule:
    weekdays: frozenset[int] = DEFAULT_WEEKDAYS
    hour: int = DEFAULT_HOUR

    def to_dict(self) -> dict[str, Any]:
        return {"weekdays": sorted(self.weekdays), "hour": self.hour}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NudgeSchedule:
        return cls(frozenset(int(d) for d in data["weekdays"]), int(data["hour"]))


WEEKLY_REPORT_DEFAULT: Final = NudgeSchedule(frozenset({DEFAULT_REPORT_DAY}), DEFAULT_HOUR)


@dataclass(frozen=True)
class Profile:
    name: str
    services: frozenset[str]
    kickoff: date
    phase_targets: dict[str, date]
    project_manager: Person
    time_zone: str
    language: Language
    schedule: NudgeSchedule = field(default_factory=NudgeSchedule)
    # The weekly status report: one weekday, one hour (documents before it: Monday 09:00).
    report_schedule: NudgeSchedule = field(default_factory=lambda: WEEKLY_REPORT_DEFAULT)
    # Microsoft's FastTrack engineers and the project manager's deputies (documents before
    # roles: none).
    fasttrack_engineers: tuple[Person, ...] = ()
    deputies: tuple[Person, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "services": sorted(self.services),
            "kickoff": self.kickoff.isoformat(),
            "phaseTargets": {k: v.isoformat() for k, v in self.phase_targets.items()},
            "projectManager": self.project_manager.to_dict(),
            "timeZone": self.time_zone,
            "language": self.language,
            "schedule": self.schedule.to_dict(),
            "reportSchedule": self.report_schedule.to_dict(),
            "fastTrackEngineers": [p.to_dict() for p in self.fasttrack_engineers],
            "deputies": [p.to_dict() for p in self.deputies],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        return cls(
            name=data["name"],
            services=frozenset(data["services"]),
            kickoff=date.fromisoformat(data["kickoff"]),
            phase_targets={k: date.fromisoformat(v) for k, v in data["phaseTargets"].items()},
            project_manager=Person.from_dict(data["projectManager"]),
            time_zone=data["timeZone"],
            language=cast(Language, data["language"]),
            schedule=NudgeSchedule.from_dict(data["schedule"]),
            report_schedule=NudgeSchedule.from_dict(data["reportSchedule"])
            if "reportSchedule" in data
            else WEEKLY_REPORT_DEFAULT,
            fasttrack_engineers=tuple(
                Person.from_dict(p) for p in data.get("fastTrackEngineers", [])
            ),
            deputies=tuple(Person.from_dict(p) for p in data.get("deputies", [])),
        )


def parse_date(value: object) -> date | None:
    """A YYYY-MM-DD date (what Input.Date sends); None when absent or not such a date."""
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def known_time_zone(name: str) -> bool:
    if name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _zones() -> frozenset[str]:
    # Listing the zone database reads many files; once per process is enough.
    return frozenset(available_timezones())


def _text(form: dict[str, Any], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _choices(form: dict[str, Any], key: str) -> list[str]:
    """Input.ChoiceSet with isMultiSelect sends its values comma-separated."""
    return [part.strip() for part in _text(form, key).split(",") if part.strip()]


def role_ids(form: dict[str, Any], key: str) -> list[str]:
    """The people picked in a multi-select people picker, by id."""
    return _choices(form, key)


def validate_profile(
    form: dict[str, Any],
    catalog: Catalog,
    project_manager: Person | None,
    roles: dict[str, list[Person | None]] | None = None,
) -> Profile:
    """Builds the profile from the form's inputs or raises ProfileInvalid with every problem.

    `project_manager` is the person the edge resolved from the picked id (None when the id
    names nobody in the conversation); the form's own value is only checked for presence.
    `roles` are the people resolved from the ids of "fastTrackEngineers" and "deputies"
    (None for an id naming nobody here), in the form's order.
    """
    roles = roles or {}
    errors: dict[str, FieldError] = {}
    name = _text(form, "name")
    if is_blank(name):
        errors["name"] = "required"
    elif len(name) > MAX_NAME_CHARS:
        errors["name"] = "too_long"

    services = _choices(form, "services")
    if not services:
        errors["services"] = "required"
    elif set(services) - set(SERVICES):
        errors["services"] = "bad_choice"

    kickoff = parse_date(form.get("kickoff"))
    if kickoff is None:
        errors["kickoff"] = "required" if not _text(form, "kickoff") else "bad_date"

    targets: dict[str, date] = {}
    previous = kickoff
    for phase in catalog.phases:
        key = f"target.{phase.id}"
        raw = _text(form, key)
        if not raw:
            continue  # a target end date per phase is optional
        target = parse_date(raw)
        if target is None:
            errors[key] = "bad_date"
            continue
        if previous is not None and target < previous:
            errors[key] = "date_order"
        targets[phase.id] = target
        previous = target

    if not _text(form, "projectManager"):
        errors["projectManager"] = "required"
    elif project_manager is None:
        errors["projectManager"] = "unknown_person"

    time_zone = _text(form, "timeZone")
    if not time_zone:
        errors["timeZone"] = "required"
    elif not known_time_zone(time_zone):
        errors["timeZone"] = "unknown_time_zone"

    language = _text(form, "language")
    if language not in LANGUAGES:
        errors["language"] = "required" if not language else "bad_choice"

    weekdays = _choices(form, "nudgeDays")
    hour = _text(form, "nudgeHour")
    if weekdays and not all(d in {"0", "1", "2", "3", "4", "5", "6"} for d in weekdays):
        errors["nudgeDays"] = "bad_choice"
    if hour and not (_HOUR.fullmatch(hour) and int(hour) <= 23):
        errors["nudgeHour"] = "bad_choice"

    report_day, report_hour = _text(form, "reportDay"), _text(form, "reportHour")
    if report_day and report_day not in {"0", "1", "2", "3", "4", "5", "6"}:
        errors["reportDay"] = "bad_choice"
    if report_hour and not (_HOUR.fullmatch(report_hour) and int(report_hour) <= 23):
        errors["reportHour"] = "bad_choice"

    picked: dict[str, tuple[Person, ...]] = {}
    for key in ("fastTrackEngineers", "deputies"):
        people = roles.get(key, [])
        if len(people) > MAX_ROLE_PEOPLE:
            errors[key] = "too_many"
        elif any(p is None for p in people):
            errors[key] = "unknown_person"
        picked[key] = tuple(dict.fromkeys(p for p in people if p is not None))

    if errors:
        raise ProfileInvalid(errors)
    assert kickoff is not None and project_manager is not None
    return Profile(
        name=name,
        services=frozenset(services),
        kickoff=kickoff,
        phase_targets=targets,
        project_manager=project_manager,
        time_zone=time_zone,
        language=cast(Language, language),
        schedule=NudgeSchedule(
            frozenset(int(d) for d in weekdays) if weekdays else DEFAULT_WEEKDAYS,
            int(hour) if hour else DEFAULT_HOUR,
        ),
        report_schedule=NudgeSchedule(
            frozenset({int(report_day) if report_day else DEFAULT_REPORT_DAY}),
            int(report_hour) if report_hour else DEFAULT_HOUR,
        ),
        fasttrack_engineers=picked["fastTrackEngineers"],
        deputies=picked["deputies"],
    )


def local_today(now: datetime, time_zone: str | None) -> date:
    """Today's date where the engagement is (UTC before setup)."""
    return now.astimezone(ZoneInfo(time_zone)).date() if time_zone else now.date()
