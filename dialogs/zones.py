"""The time zone search behind the setup form's zone choice: Teams' typeahead asks the bot
(an `application/search` invoke) for the zones matching what the person typed so far."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from domain.catalog import Language

# The dataset the form's Input.ChoiceSet names in its `choices.data` (cards/setup.py).
ZONE_DATASET = "timezones"
MAX_QUERY_CHARS = 64
MAX_RESULTS = 25
# Shown first to a Korean form: the zone nearly every Korean engagement runs in.
FIRST = {"ko": ("Asia/Seoul",), "en": ()}


class BadSearch(ValueError):
    """The search invoke does not have the shape Teams sends."""


@cache
def _zones() -> tuple[str, ...]:
    # Canonical "Area/City" names and UTC; the legacy aliases (EST5EDT, Etc/GMT+3) confuse.
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


def zone_title(zone: str, now: datetime) -> str:
    """ "Asia/Seoul (UTC+09:00)": the offset as of now, for people who know theirs."""
    offset = now.astimezone(ZoneInfo(zone)).strftime("%z")
    return f"{zone.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"


def matching_zones(query: str, lang: Language, now: datetime, top: int) -> list[dict[str, str]]:
    """The zones whose name contains `query` (spaces for underscores, any case), Korea first
    in Korean, then by name."""
    wanted = query.strip().casefold().replace(" ", "_")
    found = [z for z in ("UTC", *_zones()) if wanted in z.casefold()]
    first = [z for z in FIRST[lang] if z in found]
    ordered = first + [z for z in found if z not in first]
    return [{"title": zone_title(z, now), "value": z} for z in ordered[:top]]


def zone_search(value: object, lang: Language, now: datetime | None = None) -> list[dict[str, str]]:
    """Answers Teams' search invoke value: {"dataset", "queryText", "queryOptions": {"top"}}."""
    if not isinstance(value, dict) or value.get("dataset") != ZONE_DATASET:
        raise BadSearch("unknown dataset")
    query = value.get("queryText", "")
    if not isinstance(query, str) or len(query) > MAX_QUERY_CHARS:
        raise BadSearch("queryText must be short text")
    options = value.get("queryOptions")
    top = options.get("top", MAX_RESULTS) if isinstance(options, dict) else MAX_RESULTS
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise BadSearch("queryOptions.top must be a positive number")
    return matching_zones(query, lang, now or datetime.now(UTC), min(top, MAX_RESULTS))
