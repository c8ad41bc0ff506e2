"""The FastTrack for EMS checklist catalog: tracks, phases and customer tasks.

The catalog lives in ``catalog.json`` next to this module so the wording can change
without touching code. This module only reads and validates it; it has no bot or
Azure dependencies so any layer can use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Final, Literal, get_args

Language = Literal["en", "ko"]
TrackKind = Literal["track", "phase"]

LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_PATH = Path(__file__).with_name("catalog.json")

# Ids are stored in user state, so they must stay stable, short and ASCII.
TRACK_ID_PATTERN = re.compile(r"^[a-z]+$")
TASK_ID_PATTERN = re.compile(r"^[a-z]+\.[a-z0-9-]+$")
MAX_TASK_ID_LENGTH = 48
MEETING_ID_PATTERN = re.compile(r"^[a-z][a-z-]{0,31}$")
# The meeting a logged meeting is when it is none of its phase's meetings in the catalog.
OTHER_MEETING = "other"
GENERAL_TRACK_ID = "general"
# The services a FastTrack for EMS engagement can cover: Azure AD Premium (today Microsoft
# Entra ID P1/P2), Microsoft Intune and Azure Rights Management. Tasks name the ones they
# concern; setup picks the ones in scope.
SERVICES: Final = ("aad_premium", "intune", "rms")


@dataclass(frozen=True, slots=True)
class LocalizedText:
    en: str
    ko: str

    def in_(self, lang: Language) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True, slots=True)
class MeetingKind:
    """One of a phase's meetings in the seed (the readiness meeting, the checkpoints): what
    a logged meeting says it was, beside "other". `task_id` is the task that attends it."""

    id: str
    title: LocalizedText
    task_id: str


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    kind: TrackKind
    order: int
    name: LocalizedText
    goal: LocalizedText
    checkpoint: LocalizedText | None
    # What Microsoft's FastTrack team does in the phase, from its process description.
    microsoft: tuple[LocalizedText, ...]
    aliases: tuple[str, ...]
    meetings: tuple[MeetingKind, ...] = ()

    def meeting(self, kind_id: str) -> MeetingKind | None:
        return next((m for m in self.meetings if m.id == kind_id), None)


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    track_id: str
    order: int
    optional: bool
    title: LocalizedText
    description: LocalizedText
    # The services the task concerns; empty when it concerns every service.
    services: frozenset[str] = frozenset()
    # A standing duty of the customer for the whole engagement (the general track's items),
    # acknowledged with an owner rather than done; phase tasks are steps that get done.
    duty: bool = False
    # The engagement's own task (domain/own_tasks.py): its text is the team's, shown as
    # user text, in whatever language they wrote it.
    own: bool = False


def _key(name: str) -> str:
    # Users type track names in chat; compare loosely.
    return name.strip().casefold()


def _lookup_keys(track: Track) -> set[str]:
    return {_key(n) for n in (track.id, *track.aliases, track.name.en, track.name.ko)}


class Catalog:
    """Validated, read-only view over tracks and tasks."""

    def __init__(self, tracks: Iterable[Track], tasks: Iterable[Task]) -> None:
        self.tracks: tuple[Track, ...] = tuple(sorted(tracks, key=lambda t: t.order))
        self.tasks: tuple[Task, ...] = tuple(tasks)
        self.phases: tuple[Track, ...] = tuple(t for t in self.tracks if t.kind == "phase")
        self._tracks_by_id = {t.id: t for t in self.tracks}
        self._tasks_by_id = {t.id: t for t in self.tasks}
        self._tracks_by_name = {key: t for t in self.tracks for key in _lookup_keys(t)}
        self._tasks_by_track = {
            track.id: tuple(t for t in self.tasks if t.track_id == track.id)
            for track in self.tracks
        }

    @property
    def general(self) -> Track:
        return self._tracks_by_id[GENERAL_TRACK_ID]

    def track(self, track_id: str) -> Track:
        return self._tracks_by_id[track_id]

    def find_track(self, name: str) -> Track | None:
        return self._tracks_by_name.get(_key(name))

    def task(self, task_id: str) -> Task:
        return self._tasks_by_id[task_id]

    def has_task(self, task_id: str) -> bool:
        return task_id in self._tasks_by_id

    def tasks_of(self, track_id: str) -> tuple[Task, ...]:
        return self._tasks_by_track[track_id]  # unknown track -> KeyError, not an empty tuple


# --- parsing -------------------------------------------------------------------------
# json.loads returns Any; these helpers narrow it with explicit checks so that a bad
# file fails with a message that says where, instead of an AttributeError later.


def _obj(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list")
    return value


def _str(data: Mapping[str, object], field: str, where: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{field}' must be a non-empty string")
    return value


def _int(data: Mapping[str, object], field: str, where: str) -> int:
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{where}: '{field}' must be an integer")
    return value


def _localized(value: object, where: str) -> LocalizedText:
    raw = _obj(value, where)
    # Every user-facing text must exist in every language the bot speaks.
    missing = [
        lang
        for lang in LANGUAGES
        if not isinstance(raw.get(lang), str) or not str(raw[lang]).strip()
    ]
    if missing:
        raise ValueError(f"{where}: missing language(s) {', '.join(missing)}")
    return LocalizedText(en=str(raw["en"]), ko=str(raw["ko"]))


def _text(data: Mapping[str, object], field: str, where: str) -> LocalizedText:
    return _localized(data.get(field), f"{where}.{field}")


def _texts(data: Mapping[str, object], field: str, where: str) -> tuple[LocalizedText, ...]:
    raw = _list(data.get(field), f"{where}.{field}")
    if not raw:
        raise ValueError(f"{where}.{field}: must list at least one item")
    return tuple(_localized(item, f"{where}.{field}[{i}]") for i, item in enumerate(raw))


def _services(data: Mapping[str, object], where: str) -> frozenset[str]:
    raw = _list(data.get("services", []), f"{where}.services")
    unknown = [s for s in raw if s not in SERVICES]
    if unknown or len(set(map(str, raw))) != len(raw):
        raise ValueError(f"{where}.services: each must be one of {', '.join(SERVICES)}, once")
    return frozenset(str(s) for s in raw)


def _aliases(data: Mapping[str, object], where: str) -> tuple[str, ...]:
    raw = _list(data.get("aliases", []), f"{where}.aliases")
    if not all(isinstance(a, str) and a.strip() for a in raw):
        raise ValueError(f"{where}.aliases: every alias must be a non-empty string")
    return tuple(str(a) for a in raw)


def _meetings(data: Mapping[str, object], where: str) -> tuple[MeetingKind, ...]:
    kinds = []
    for i, raw in enumerate(_list(data.get("meetings", []), f"{where}.meetings")):
        item, at = _obj(raw, f"{where}.meetings[{i}]"), f"{where}.meetings[{i}]"
        kind_id = _str(item, "id", at)
        if not MEETING_ID_PATTERN.match(kind_id) or kind_id == OTHER_MEETING:
            raise ValueError(f"{at}: bad meeting id {kind_id!r}")
        kinds.append(MeetingKind(kind_id, _text(item, "title", at), _str(item, "task", at)))
    _unique((k.id for k in kinds), f"{where} meeting id")
    return tuple(kinds)


def _parse_track(raw: object, where: str) -> Track:
    data = _obj(raw, where)
    track_id = _str(data, "id", where)
    if not TRACK_ID_PATTERN.match(track_id):
        raise ValueError(f"{where}: bad track id {track_id!r}")
    where = f"track {track_id!r}"
    kind = data.get("kind")
    if kind not in ("track", "phase"):
        raise ValueError(f"{where}: 'kind' must be 'track' or 'phase'")
    # Phases close with a checkpoint meeting and say what Microsoft does in them; the
    # general track runs throughout.
    checkpoint = _text(data, "checkpoint", where) if kind == "phase" else None
    microsoft = _texts(data, "microsoft", where) if kind == "phase" else ()
    return Track(
        id=track_id,
        kind="phase" if kind == "phase" else "track",
        order=_int(data, "order", where),
        name=_text(data, "name", where),
        goal=_text(data, "goal", where),
        checkpoint=checkpoint,
        microsoft=microsoft,
        aliases=_aliases(data, where),
        meetings=_meetings(data, where),
    )


def _parse_task(raw: object, where: str) -> Task:
    data = _obj(raw, where)
    task_id = _str(data, "id", where)
    if not TASK_ID_PATTERN.match(task_id) or len(task_id) > MAX_TASK_ID_LENGTH:
        raise ValueError(f"{where}: bad task id {task_id!r}")
    where = f"task {task_id!r}"
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        raise ValueError(f"{where}: 'optional' must be true or false")
    return Task(
        id=task_id,
        track_id=_str(data, "track", where),
        order=_int(data, "order", where),
        optional=optional,
        title=_text(data, "title", where),
        description=_text(data, "description", where),
        services=_services(data, where),
    )


def _unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} {item!r}")
        seen.add(item)


def parse_catalog(data: object) -> Catalog:
    """Build a Catalog from already-decoded JSON, validating it."""
    root = _obj(data, "catalog")
    if root.get("version") != 1:
        raise ValueError(f"catalog: unsupported version {root.get('version')!r}")
    tracks = [
        _parse_track(t, f"tracks[{i}]") for i, t in enumerate(_list(root.get("tracks"), "tracks"))
    ]
    tasks = [_parse_task(t, f"tasks[{i}]") for i, t in enumerate(_list(root.get("tasks"), "tasks"))]

    _unique((t.id for t in tracks), "track id")
    _unique((t.id for t in tasks), "task id")
    # find_track must be unambiguous: no name or alias may point at two tracks.
    _unique((key for t in tracks for key in _lookup_keys(t)), "track name or alias")
    if GENERAL_TRACK_ID not in {t.id for t in tracks}:
        raise ValueError(f"catalog: missing the {GENERAL_TRACK_ID!r} track")

    kinds = {t.id: t.kind for t in tracks}
    if [t.id for t in tracks if t.kind == "track"] != [GENERAL_TRACK_ID]:
        raise ValueError(f"catalog: only the {GENERAL_TRACK_ID!r} track may be a non-phase track")
    per_track: dict[str, int] = {}
    per_task = {t.id for t in tasks}
    for i, task in enumerate(tasks):
        if task.track_id not in kinds:
            raise ValueError(f"task {task.id!r}: unknown track {task.track_id!r}")
        if not task.id.startswith(f"{task.track_id}."):
            raise ValueError(f"task {task.id!r}: id must start with its track {task.track_id!r}")
        # Tasks are listed in checklist order; 'order' must agree so nothing is reshuffled.
        expected = per_track.get(task.track_id, 0) + 1
        if task.order != expected:
            raise ValueError(f"task {task.id!r}: order {task.order}, expected {expected}")
        per_track[task.track_id] = expected
        tasks[i] = replace(task, duty=kinds[task.track_id] == "track")
    for track in tracks:
        for kind in track.meetings:
            if not kind.task_id.startswith(f"{track.id}.") or kind.task_id not in per_task:
                raise ValueError(f"track {track.id!r}: meeting {kind.id!r} names no task of it")
    return Catalog(tracks, tasks)


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate the catalog (``domain/catalog.json`` unless a path is given)."""
    source = path or DEFAULT_PATH
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: invalid JSON: {exc}") from exc
    try:
        return parse_catalog(data)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from exc


@cache
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()
