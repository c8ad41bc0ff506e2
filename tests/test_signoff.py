"""Issue 21 items 1, 2 and 4: roles (project manager, FastTrack engineers, deputies), phase
sign-off, and engagements stored before sign-off. Through the real adapter over HTTP, on
both store backends."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from domain.catalog import default_catalog
from domain.engagement import FORMAT_VERSION, Engagement, EngagementKey
from domain.roles import PERMISSIONS, ManagerAction, Role, Side
from storage.repository import ENGAGEMENT_DOC, EngagementRepository
from testkit import FakeConnector, card_actions
from testkit import activities as a
from tests.card_schema import card_errors
from tests.harness import BotHarness
from tests.steps import click, installed, run_scheduled, set_up, two_instances
from tests.test_reports import fetch

CATALOG = default_catalog()
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
KIM = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
STRANGER = {"id": "29:user3", "name": "Park Jisoo", "aadObjectId": "aad-user3"}
# Today's stored format before sign-off (tests/fixtures/engagement_v1.json): Initiate and
# Remediate complete, Assess with one task done, Enable skipped.
V1_FIXTURE = Path(__file__).parent / "fixtures" / "engagement_v1.json"
NOT_SIGNER = "Only the project manager or a deputy can sign off for the customer"


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def stored(bot: BotHarness) -> Engagement:
    assert bot.store is not None
    engagement = await EngagementRepository(bot.store).get(TEAM.id)
    assert engagement is not None
    return engagement


async def settle(bot: BotHarness, phase: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for task in CATALOG.tasks_of(phase):
        body = await click(bot, "task.done", {"task": task.id})
    return body


def sign(phase: str, side: Side = Side.CUSTOMER, comment: str = "") -> dict[str, str]:
    return {"phase": phase, "side": side.value, f"comment.{phase}.{side.value}": comment}


def announced(connector: FakeConnector, text: str) -> list[str]:
    return [dump(c) for c in connector.cards("POST") if text in dump(c)]


async def test_a_settled_phase_waits_for_signoff_and_the_signature_completes_it(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    card = (await settle(bot, "initiate"))["value"]
    assert card_errors(card) == []
    assert "ready for sign-off" in dump(card) and "This phase is complete." not in dump(card)
    assert "Customer: waiting for User One" in dump(card)
    assert ("phase.signoff", {"phase": "initiate", "side": "customer"}) in [
        (x["verb"], x["data"]) for x in card_actions(card) if x.get("verb") == "phase.signoff"
    ]
    assert announced(connector, "Initiate is complete") == []
    overview = (await click(bot, "status.show", {}))["value"]
    assert "Awaiting sign-off: Initiate" in dump(overview)
    assert "Current phase: Initiate" in dump(overview)
    connector.calls.clear()
    await bot.send(a.message(bot.service_url, "next"))
    [intro] = connector.cards("POST")
    assert "ready for sign-off" in dump(intro) and "Initiate" in dump(intro)

    connector.calls.clear()
    body = await click(bot, "phase.signoff", sign("initiate", comment="Kickoff held *today*"))
    card = body["value"]
    assert card_errors(card) == []
    assert "This phase is complete." in dump(card)
    assert "Customer: signed off by User One" in dump(card)
    assert "Kickoff held \\\\*today\\\\*" in dump(card), "the comment is escaped"
    assert len(announced(connector, "Initiate is complete")) == 1
    engagement = await stored(bot)
    signature = engagement.signoffs["initiate"][Side.CUSTOMER]
    assert (signature.by.id, signature.comment) == ("29:user1", "Kickoff held *today*")
    last = engagement.audit_tail[-1]
    assert (last["subject"], last["change"], last["to"], last["reason"]) == (
        "initiate",
        "signoff",
        "customer",
        "Kickoff held *today*",
    )
    # The report lists the signature; the history has it with the comment.
    report = dump((await click(bot, "report.show", {}))["value"])
    assert "Sign-offs" in report and "Initiate · Customer: User One" in report
    history = dump((await click(bot, "history.show", {}))["value"])
    assert "sign-off none → Customer" in history
    # The export's history sheet has it: who, when, the side and the comment.
    export = (await click(bot, "export.show", {}))["value"]
    url = next(x["url"] for x in card_actions(export) if x.get("title") == "Workbook (.xlsx)")
    status, workbook, _ = await fetch(bot, url)
    assert status == 200
    rows = list(load_workbook(io.BytesIO(workbook))["History"].iter_rows(values_only=True))
    [row] = [r for r in rows if r[3] == "sign-off none → Customer"]
    assert (row[1], row[2], row[6]) == ("User One", "Initiate", "Kickoff held *today*")


async def test_a_member_who_is_not_a_signer_is_refused_and_nothing_changes(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    # Open tasks: not yet.
    refused = dump(await click(bot, "phase.signoff", sign("initiate")))
    assert "still has open tasks" in refused
    await settle(bot, "initiate")
    assert NOT_SIGNER in dump(await click(bot, "phase.signoff", sign("initiate"), sender=KIM))
    too_long = sign("initiate", comment="x" * 501)
    assert "too long" in dump(await click(bot, "phase.signoff", too_long))
    # The project manager is no FastTrack engineer, and Initiate takes no FastTrack signature.
    fasttrack = sign("remediate", Side.FASTTRACK)
    assert "Only a FastTrack engineer" in dump(await click(bot, "phase.signoff", fasttrack))
    wrong_side = sign("initiate", Side.FASTTRACK)
    assert "needs no such sign-off" in dump(await click(bot, "phase.signoff", wrong_side))
    forged = {"phase": "initiate", "side": "microsoft"}
    status, _ = await bot.send(a.click(bot.service_url, "phase.signoff", forged))
    assert status == 400
    unknown = {"phase": "nope", "side": "customer"}
    assert "There is no phase" in dump(await click(bot, "phase.signoff", unknown))
    assert (await stored(bot)).signoffs == {}
    # A skipped phase needs no sign-off.
    await click(bot, "phase.skip", {"phase": "enable", "reason.enable": "Done by Microsoft"})
    assert "needs no such sign-off" in dump(await click(bot, "phase.signoff", sign("enable")))
    assert (await stored(bot)).signoffs == {}


async def test_remediate_needs_the_manager_and_a_fasttrack_engineer(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en", fastTrackEngineers="aad-user2")
    card = (await settle(bot, "remediate"))["value"]
    assert "Customer: waiting for User One" in dump(card)
    assert "FastTrack: waiting for Kim Minji" in dump(card)
    connector.calls.clear()
    await click(bot, "phase.signoff", sign("remediate"))
    assert announced(connector, "Remediate is complete") == []
    assert "Remediate" in dump((await click(bot, "status.show", {}))["value"])
    # The engineer cannot sign for the customer, only for FastTrack.
    assert NOT_SIGNER in dump(await click(bot, "phase.signoff", sign("remediate"), sender=KIM))
    await click(bot, "phase.signoff", sign("remediate", Side.FASTTRACK, "Verified"), sender=KIM)
    assert len(announced(connector, "Remediate is complete")) == 1
    engagement = await stored(bot)
    assert set(engagement.signoffs["remediate"]) == {Side.CUSTOMER, Side.FASTTRACK}
    assert engagement.signoffs["remediate"][Side.FASTTRACK].by.id == "29:user2"


async def test_a_deputy_signs_for_the_customer_but_cannot_change_the_roles(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en", deputies="aad-user2")
    await settle(bot, "initiate")
    connector.calls.clear()
    await click(bot, "phase.signoff", sign("initiate"), sender=KIM)
    assert len(announced(connector, "Initiate is complete")) == 1
    refused = await click(bot, "setup.save", {"deputies": ""}, sender=KIM)
    assert "Only the project manager can do that" in dump(refused)
    assert [p.id for p in (await stored(bot)).profile.deputies] == ["aad-user2"]  # type: ignore[union-attr]


async def test_roles_are_set_up_shown_on_the_overview_and_audited(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    form = (await click(bot, "setup.show", {}))["value"]
    roles = ("fastTrackEngineers", "deputies")
    pickers = {e["id"]: e for e in form["body"] if e.get("id") in roles}
    assert set(pickers) == set(roles)
    assert all(p["isMultiSelect"] and "choices.data" in p for p in pickers.values())
    # Someone not in the conversation: the form comes back, nothing saved.
    body = await set_up(bot, language="en", fastTrackEngineers="aad-user2,aad-stranger")
    assert "That person is not in this conversation." in dump(body)
    assert (await stored(bot)).profile is None
    six = ",".join(f"aad-user{n}" for n in range(1, 7))
    assert "Pick at most 5 people." in dump(await set_up(bot, language="en", deputies=six))
    assert (await stored(bot)).profile is None
    overview = dump((await set_up(bot, language="en", fastTrackEngineers="aad-user2"))["value"])
    assert "FastTrack engineers" in overview and "Kim Minji" in overview
    assert "Deputies" in overview and "not named" in overview
    assert bot.store is not None
    trail = await EngagementRepository(bot.store).audit_trail(TEAM.id)
    engineers = [(e.before, e.after) for e in trail if e.change.value == "fasttrack"]
    assert engineers == [(None, "aad-user2")]
    history = dump((await click(bot, "history.show", {}))["value"])
    assert "FastTrack engineers none → Kim Minji" in history


async def test_a_task_reopened_after_signoff_reopens_the_phase_and_says_why(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await settle(bot, "initiate")
    await click(bot, "phase.signoff", sign("initiate"))
    connector.calls.clear()
    first = CATALOG.tasks_of("initiate")[0]
    await click(bot, "task.reopen", {"task": first.id}, sender=KIM)
    [reopened] = announced(connector, "Initiate is back in progress")
    assert "Kim Minji reopened" in reopened and first.title.en in reopened
    engagement = await stored(bot)
    assert engagement.signoffs == {} and "initiate" not in engagement.completed_phases
    assert engagement.current_phase(CATALOG).id == "initiate"  # type: ignore[union-attr]
    last = engagement.audit_tail[-1]
    assert (last["subject"], last["change"], last["from"], last["to"]) == (
        "initiate",
        "signoff",
        "customer",
        None,
    )
    # Settled and signed again: its completion is announced again.
    connector.calls.clear()
    await click(bot, "task.done", {"task": first.id})
    assert announced(connector, "Initiate is complete") == []
    await click(bot, "phase.signoff", sign("initiate"))
    assert len(announced(connector, "Initiate is complete")) == 1


async def test_the_manager_reopens_a_signed_phase_with_a_reason(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await settle(bot, "initiate")
    card = (await click(bot, "phase.signoff", sign("initiate")))["value"]
    assert "phase.reopen" in {x.get("verb") for x in card_actions(card)}
    reopen = {"phase": "initiate", "reopen.initiate": "The kickoff minutes are missing"}
    refused = await click(bot, "phase.reopen", reopen, sender=KIM)
    assert "Only the project manager or a deputy" in dump(refused)
    assert "initiate" in (await stored(bot)).signoffs
    card = (await click(bot, "phase.reopen", reopen))["value"]
    assert "ready for sign-off" in dump(card)
    engagement = await stored(bot)
    assert engagement.signoffs == {}
    last = engagement.audit_tail[-1]
    assert (last["change"], last["reason"]) == ("signoff", "The kickoff minutes are missing")


async def test_two_instances_signing_at_once_record_the_signature_once(
    store_factory: Any, connector: FakeConnector
) -> None:
    async with two_instances(store_factory, connector, datetime(2026, 12, 1, tzinfo=UTC)) as (
        (first, second),
        _,
    ):
        await installed(first, connector)
        await set_up(first, language="en")
        await settle(first, "initiate")
        connector.calls.clear()
        await asyncio.gather(
            click(first, "phase.signoff", sign("initiate")),
            click(second, "phase.signoff", sign("initiate")),
        )
        engagement = await stored(first)
        entries = [e for e in engagement.audit_tail if e["change"] == "signoff"]
        assert len(entries) == 1
        assert len(announced(connector, "Initiate is complete")) == 1


async def test_both_remediate_signatures_at_once_on_two_instances_are_both_kept(
    store_factory: Any, connector: FakeConnector
) -> None:
    async with two_instances(store_factory, connector, datetime(2026, 12, 1, tzinfo=UTC)) as (
        (first, second),
        _,
    ):
        await installed(first, connector)
        await set_up(first, language="en", fastTrackEngineers="aad-user2")
        await settle(first, "remediate")
        connector.calls.clear()
        await asyncio.gather(
            click(first, "phase.signoff", sign("remediate")),
            click(second, "phase.signoff", sign("remediate", Side.FASTTRACK), sender=KIM),
        )
        engagement = await stored(second)
        assert set(engagement.signoffs["remediate"]) == {Side.CUSTOMER, Side.FASTTRACK}
        assert len(announced(connector, "Remediate is complete")) == 1


async def test_a_redelivered_signoff_changes_nothing_the_second_time(
    bot: BotHarness, connector: FakeConnector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await settle(bot, "initiate")
    activity = a.click(bot.service_url, "phase.signoff", sign("initiate", comment="Once"))
    for _ in range(2):
        status, _ = await bot.send(activity)
        assert status == 200
    engagement = await stored(bot)
    assert [e["reason"] for e in engagement.audit_tail if e["change"] == "signoff"] == ["Once"]
    assert len(announced(connector, "Initiate is complete")) == 1


async def test_the_digest_nudges_the_missing_signer(
    store_factory: Any, connector: FakeConnector
) -> None:
    # Monday 30 Nov 2026 10:05 in Seoul: just after the form's Monday 10:00 digest.
    async with two_instances(store_factory, connector, datetime(2026, 11, 29, tzinfo=UTC)) as (
        (bot, _),
        clock,
    ):
        await installed(bot, connector)
        await set_up(bot, language="en", fastTrackEngineers="aad-user2")
        await settle(bot, "initiate")
        await settle(bot, "assess")
        await settle(bot, "remediate")
        await click(bot, "phase.signoff", sign("initiate"))
        await click(bot, "phase.signoff", sign("remediate"))
        connector.calls.clear()
        clock["now"] = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)
        assert (await run_scheduled(bot, "/api/nudges/run"))["sent"] == [TEAM.id]
        [digest] = [c for c in connector.cards("POST") if "Reminder" in dump(c)]
        assert card_errors(digest) == []
        text = dump(digest)
        assert "Assess awaits sign-off from <at>User One</at>" in text
        assert "Remediate awaits sign-off from <at>Kim Minji</at>" in text
        mentioned = {e["mentioned"]["id"] for e in digest["msteams"]["entities"]}
        assert {"aad-user1", "aad-user2"} <= mentioned


async def test_an_engagement_stored_before_signoff_loads_and_behaves(
    bot: BotHarness, connector: FakeConnector
) -> None:
    assert bot.store is not None
    old = json.loads(V1_FIXTURE.read_text())
    assert "formatVersion" not in old and "signoffs" not in old
    await bot.store.create(TEAM.id, ENGAGEMENT_DOC, old)
    # Read as upgraded: phases complete before stay complete, signed by the system.
    overview = dump((await click(bot, "status.show", {}))["value"])
    assert "Current phase: Assess" in overview and "Awaiting sign-off" not in overview
    card = dump((await click(bot, "phase.show", {"phase": "remediate"}))["value"])
    assert "This phase is complete." in card
    assert card.count("signed off by the system (complete before sign-off existed)") == 2
    # The next write stores the new format; nothing was announced along the way.
    connector.calls.clear()
    await click(bot, "task.done", {"task": CATALOG.tasks_of("assess")[1].id})
    raw = await bot.store.read(TEAM.id, ENGAGEMENT_DOC)
    assert raw is not None and raw.body["formatVersion"] == FORMAT_VERSION
    assert set(raw.body["signoffs"]) == {"initiate", "remediate"}
    assert raw.body["signoffs"]["remediate"]["fasttrack"]["by"]["id"] == "system"
    assert "enable" not in raw.body["signoffs"], "a skipped phase needs no sign-off"
    assert connector.cards("POST") == []
    # A Remediate task reopened takes the phase back to in progress, said with why.
    await click(bot, "task.reopen", {"task": CATALOG.tasks_of("remediate")[0].id})
    assert len(announced(connector, "Remediate is back in progress")) == 1
    assert "remediate" not in (await stored(bot)).signoffs


def test_the_upgrade_signs_only_phases_still_settled_and_is_read_the_same_again() -> None:
    """Domain level, beside the stores: a phase announced complete whose task was reopened
    since (possible before sign-off) is not signed, and waits for sign-off once settled."""
    old = json.loads(V1_FIXTURE.read_text())
    reopened = CATALOG.tasks_of("initiate")[0].id
    old["tasks"][reopened] = {"status": "open"}
    engagement = Engagement.from_dict(old)
    assert set(engagement.signoffs) == {"remediate"}
    assert set(engagement.completed_phases) == {"remediate", "enable"}
    assert all(s.by_system for s in engagement.signoffs["remediate"].values())
    assert engagement.current_phase(CATALOG).id == "initiate"  # type: ignore[union-attr]
    again = Engagement.from_dict(engagement.to_dict())
    assert again.to_dict() == engagement.to_dict()


# What each row of README's "Roles and sign-off" table says, as the table's actions.
README_ROWS = {
    "settings, the roles among them (`settings`)": ManagerAction.SETUP,
    "skip a phase, undo a skip": ManagerAction.SKIP,
    "stop / resume reminders": ManagerAction.NUDGES,
    "take a task from its owner (the owner may too)": ManagerAction.REASSIGN,
    "edit, remove, restore the engagement's own tasks": ManagerAction.TASKS,
    "sign a phase off for the customer": ManagerAction.SIGN_CUSTOMER,
    "sign Remediate off for FastTrack": ManagerAction.SIGN_FASTTRACK,
    "reopen a phase's sign-off (with a reason)": ManagerAction.REOPEN_PHASE,
}


def test_the_readme_shows_the_domain_s_permission_table() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    lines = readme.split("## Roles and sign-off", 1)[1].splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("| action |"))
    end = next(n for n in range(start, len(lines)) if not lines[n].startswith("|"))
    rows = [line.strip("|").split("|") for line in lines[start:end]]
    header, table = rows[0], rows[1:]
    roles = [Role.MANAGER, Role.DEPUTY, Role.FASTTRACK, Role.MEMBER]
    assert [h.strip() for h in header[1:]] == [
        "project manager",
        "deputy",
        "FastTrack engineer",
        "member",
    ]
    shown = {
        README_ROWS[cells[0].strip()]: frozenset(
            role for role, cell in zip(roles, cells[1:], strict=True) if cell.strip() == "✓"
        )
        for cells in table
        if not set(cells[0].strip()) <= {"-", " "}
    }
    assert shown == PERMISSIONS
