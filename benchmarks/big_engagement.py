"""The engagement the reports and own-tasks sections build over HTTP: the setup form, and the
263 tasks of its own that take it to 300 (the most an engagement may hold), pasted as a
FastTrack remediation checklist through `add task`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from domain.catalog import default_catalog
from domain.own_tasks import MAX_OWN_TASKS

SETUP = {
    "name": "Contoso EMS rollout",
    "services": "aad_premium,intune,azure_rights_management",
    "kickoff": "2026-01-05",
    "target.initiate": "2026-02-01",
    "target.assess": "2026-03-01",
    "target.remediate": "2026-04-01",
    "target.enable": "2026-05-01",
    "projectManager": "aad-user1",
    "timeZone": "Asia/Seoul",
    "language": "ko",
    "nudgeDays": "0,2,4",
    "nudgeHour": "10",
}
CATALOG_TASKS = len(default_catalog().tasks)
OWN = MAX_OWN_TASKS - CATALOG_TASKS

# A card click in the engagement's conversation: verb and data in, the answer's card out.
Click = Callable[[str, dict[str, str]], Awaitable[Any]]


def checklist(count: int) -> str:
    """`count` lines as a FastTrack remediation checklist reads: owner, date, description."""
    return "\n".join(
        f"Remediation item {n:03d}: enrol the device group and verify compliance | User One"
        f" | 2026-0{3 + n % 6}-{10 + n % 18} | Intune compliance policy for group {n:03d}, "
        "checked against the Assess findings"
        for n in range(count)
    )


async def add_own_tasks(click: Click) -> None:
    """Pastes `OWN` tasks into the Remediate phase: the preview, then its Create."""
    lines = checklist(OWN)
    preview = await click("own.check", {"phase": "remediate", "lines": lines})
    create = create_data(preview)
    if create.get("count") != str(OWN):
        raise RuntimeError(f"the checklist's preview reads {create.get('count')} tasks")
    await click("own.create", {**create, "phase": "remediate", "lines": lines})


def create_data(preview: Any) -> dict[str, str]:
    """The preview card's Create button's data."""
    found: list[dict[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("verb") == "own.create":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(preview)
    if not found:
        raise RuntimeError("the checklist's preview offers no Create")
    return found[0]
