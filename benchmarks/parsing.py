"""Activity parsing: the time `bot.wire.parse_activity` takes to build the botbuilder
`Activity` of a typical Teams click and message, against msrest's own deserializer
(`Activity().deserialize(body)`, what botbuilder does without it). Both run in this process on
the same bodies, after a check that they build the same activity."""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity

from bot.wire import parse_activity
from testkit import activities as a

CLICK, MESSAGE = "click", "message"
ROUNDS = 7
PARSES_PER_ROUND = 2000
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
# What Teams adds to every activity besides the builders' fields.
TEAMS_EXTRAS: dict[str, Any] = {
    "localTimestamp": "2026-11-30T10:00:00.000+09:00",
    "localTimezone": "Asia/Seoul",
}
CLIENT_INFO = {
    "type": "clientInfo",
    "locale": "en-US",
    "country": "KR",
    "platform": "Web",
    "timezone": "Asia/Seoul",
}


def teams_bodies() -> dict[str, dict[str, Any]]:
    """A `Done` click on a channel's card, and a `status` message @mentioning the bot."""
    click = a.click(SERVICE_URL, "task.done", {"task": "initiate.start-onboarding"})
    message = a.message(SERVICE_URL, "status", mention=True)
    click |= TEAMS_EXTRAS | {"entities": [CLIENT_INFO]}
    message |= TEAMS_EXTRAS
    message["entities"] = [*message["entities"], CLIENT_INFO]
    return {CLICK: click, MESSAGE: message}


def msrest_parse(body: dict[str, Any]) -> Activity:
    parsed: Activity = Activity().deserialize(body)
    return parsed


@dataclass(frozen=True)
class ParseTimes:
    """Microseconds per parse (median over rounds), per body kind."""

    direct_us: dict[str, float]
    msrest_us: dict[str, float]
    rounds: int
    per_round: int


def _per_parse_us(parse: Callable[[dict[str, Any]], Activity], body: dict[str, Any]) -> float:
    rounds = timeit.repeat(lambda: parse(body), number=PARSES_PER_ROUND, repeat=ROUNDS)
    return statistics.median(rounds) / PARSES_PER_ROUND * 1e6


def measure_parse() -> ParseTimes:
    """CPU-bound: run it off the event loop (`asyncio.to_thread`)."""
    bodies = teams_bodies()
    for kind, body in bodies.items():
        if parse_activity(body).serialize() != msrest_parse(body).serialize():
            raise RuntimeError(f"parse_activity and msrest build different {kind} activities")
    return ParseTimes(
        direct_us={kind: _per_parse_us(parse_activity, body) for kind, body in bodies.items()},
        msrest_us={kind: _per_parse_us(msrest_parse, body) for kind, body in bodies.items()},
        rounds=ROUNDS,
        per_round=PARSES_PER_ROUND,
    )
