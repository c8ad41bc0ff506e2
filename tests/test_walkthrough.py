"""Issue 4 scenarios through the real adapter: setup, walkthrough, task actions, my tasks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.catalog import default_catalog
from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import activities as a
from testkit import card_actions
from tests.harness import BotHarness
from tests.steps import VALID_FORM, click, installed, set_up

CATALOG = default_catalog()
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
COLLEAGUE = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def engagement(bot: BotHarness):
    assert bot.store is not None
    return await EngagementRepository(bot.store).get(TEAM.id)


async def test_setup_is_offered_on_every_command_until_done(bot, connector) -> None:
    await installed(bot, connector)
    for command in ("status", "next", "phase assess", "general"):
        await bot.send(a.message(bot.service_url, command))
        assert '"setup.show"' in dump(connector.cards("POST")[0]), command
        connector.calls.clear()
    await set_up(bot)
    await bot.send(a.message(bot.service_url, "status"))
    assert '"setup.show"' in dump(connector.cards("POST")[0])  # the Settings button only
    assert "아직 설정되지" not in dump(connector.cards("POST")[0])


async def test_setup_saves_a_valid_profile_and_switches_language(bot, connector) -> None:
    await installed(bot, connector)
    form = await click(bot, "setup.show", {})
    assert form["value"]["body"][0]["text"] == "Engagement setup"
    saved = await set_up(bot)
    text = dump(saved["value"])
    assert "설정이 저장되었습니다" in text and "Contoso EMS rollout" in text
    stored = await engagement(bot)
    assert stored.profile.project_manager.name == "User One"
    assert stored.profile.schedule.hour == 10
    # The engagement's language now wins over the English client locale.
    connector.calls.clear()
    await bot.send(a.message(bot.service_url, "status", locale="en-US"))
    assert "현재 단계" in dump(connector.cards("POST")[-1])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target.initiate": "2026-11-01"}, "target.initiate", "before an earlier phase"),
        ({"name": "   "}, "name", "required"),
        ({"projectManager": "aad-stranger"}, "projectManager", "not in this conversation"),
        ({"kickoff": "01/12/2026"}, "kickoff", "Use a date like"),
        ({"timeZone": "Mars/Olympus"}, "timeZone", "Unknown time zone"),
        ({"name": "x" * 50_000}, "name", "too long"),
        ({"services": "aad_premium,office"}, "services", "Pick one"),
        ({"name": "\u3164\u200b"}, "name", "required"),
        # Unicode digits pass str.isdigit(): "²" raised from int(), "١٠" was taken as 10.
        ({"nudgeHour": "²"}, "nudgeHour", "Pick one"),
        ({"nudgeHour": "١٠"}, "nudgeHour", "Pick one"),
        ({"nudgeDays": "０,²"}, "nudgeDays", "Pick one"),
        ({"kickoff": "２０２６-１２-０１"}, "kickoff", "Use a date like"),
    ],
)
async def test_invalid_setup_comes_back_with_the_error_and_saves_nothing(
    bot, connector, overrides, field, message
) -> None:
    await installed(bot, connector)
    before = await engagement(bot)
    body = await set_up(bot, language="en", **overrides)
    card = dump(body["value"])
    assert "Nothing was saved" in card and message in card
    assert await engagement(bot) == before


async def test_only_the_manager_edits_setup(bot, connector) -> None:
    await installed(bot, connector)
    body = await click(bot, "setup.save", VALID_FORM, sender=COLLEAGUE)
    assert "Only the project manager" in body["value"]
    assert (await engagement(bot)).profile is None


async def test_assign_due_date_note_and_mention(bot, connector) -> None:
    await installed(bot, connector)
    task = {"task": "initiate.start-onboarding", "view": "task"}
    details = await click(bot, "task.show", {"task": "initiate.start-onboarding"})
    picker = next(e for e in details["value"]["body"] if e.get("id") == "owner")
    assert {c["value"] for c in picker["choices"]} == {"aad-user1", "aad-user2"}
    assert picker["choices.data"]["dataset"].startswith("graph.microsoft.com/users")

    card = (await click(bot, "task.save", {**task, "owner": "aad-user2"}))["value"]
    assert "<at>Kim Minji</at>" in dump(card["body"])
    assert {
        "type": "mention",
        "text": "<at>Kim Minji</at>",
        "mentioned": {"id": "aad-user2", "name": "Kim Minji"},
    } in card["msteams"]["entities"]
    # The shared card in the channel is updated so Teams notifies the mentioned owner.
    assert connector.sent("PUT")

    await click(bot, "task.save", {**task, "due": "2026-12-10"})
    await click(bot, "task.save", {**task, "note": "Kickoff call booked with Microsoft"})
    card = (await click(bot, "task.show", {"task": "initiate.start-onboarding"}))["value"]
    assert "Kickoff call booked" in dump(card) and "10 Dec 2026" in dump(card)
    record = (await engagement(bot)).record("initiate.start-onboarding")
    assert (record.owner.id, record.due.isoformat(), record.notes) == ("aad-user2", "2026-12-10", 1)
    await click(bot, "task.save", {**task, "due": ""})
    assert (await engagement(bot)).record("initiate.start-onboarding").due is None


GOOD_FORM = {"owner": "aad-user2", "due": "2026-12-10", "note": "Kickoff booked"}


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        ({"owner": "aad-nobody"}, "not in this conversation"),
        ({"due": "next tuesday"}, "Use a date like"),
        ({"note": "x" * 50_000}, "too long"),
    ],
)
async def test_invalid_task_input_is_refused_and_saves_nothing(
    bot, connector, extra, expect
) -> None:
    """One bad field refuses the whole Save: the good fields beside it are not half-saved."""
    await installed(bot, connector)
    before = await engagement(bot)
    body = await click(
        bot, "task.save", {"task": "initiate.start-onboarding", **GOOD_FORM, **extra}
    )
    assert expect in body["value"]
    assert await engagement(bot) == before
    assert bot.store is not None
    assert await EngagementRepository(bot.store).notes(TEAM.id, "initiate.start-onboarding") == []


@pytest.mark.parametrize("note", ["   ", "\u200b\u2060\u3164"])
async def test_a_blank_note_adds_nothing(bot, connector, note) -> None:
    await installed(bot, connector)
    before = await engagement(bot)
    form = {
        "task": "initiate.start-onboarding",
        "view": "task",
        "owner": "",
        "due": "",
        "note": note,
    }
    body = await click(bot, "task.save", form)
    assert "Nothing to save" in dump(body["value"])
    assert await engagement(bot) == before


async def test_reassigning_someone_elses_task_is_for_the_manager(bot, connector) -> None:
    await installed(bot, connector)
    await click(bot, "task.take", {"task": "assess.remediation-checklist"})  # User One, manager
    body = await click(bot, "task.take", {"task": "assess.remediation-checklist"}, sender=COLLEAGUE)
    assert "Only the project manager" in body["value"]
    owner = (await engagement(bot)).record("assess.remediation-checklist").owner
    assert owner.id == "aad-user1"
    # The manager may reassign.
    await click(bot, "task.save", {"task": "assess.remediation-checklist", "owner": "aad-user2"})
    assert (await engagement(bot)).record("assess.remediation-checklist").owner.id == "aad-user2"


async def test_my_tasks_lists_owned_tasks_overdue_first_and_acts_on_them(bot, connector) -> None:
    now = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
    bot.clock = lambda: now
    await bot.restart()
    await installed(bot, connector)
    await set_up(bot)
    for task, due in (
        ("assess.remediation-checklist", "2027-01-10"),
        ("initiate.readiness-meeting", "2026-12-18"),
    ):
        await click(bot, "task.save", {"task": task, "owner": "aad-user2"})
        await click(bot, "task.save", {"task": task, "due": due})
    # In Kim's personal chat with the bot (another conversation, same tenant):
    personal = {"conversation": "a:kim", "conversation_type": "personal", "sender": COLLEAGUE}
    connector.calls.clear()
    await bot.send(a.message(bot.service_url, "내 작업", locale="ko-KR", **personal))
    card = connector.cards("POST")[-1]
    titles = [c["items"][0]["text"] for c in card["body"] if c.get("type") == "Container"]
    assert len(titles) == 2 and CATALOG.task("initiate.readiness-meeting").title.ko in titles[0]
    assert "기한 지남" in dump(card)
    done = next(x for x in card_actions(card) if x.get("verb") == "task.done")
    body = await click(bot, "task.done", done["data"], **personal, locale="ko-KR")
    assert body["type"].endswith("card.adaptive")
    assert (await engagement(bot)).status_of("initiate.readiness-meeting").value == "done"

    # In the channel the list is only for the asker: a refresh view keyed to their id.
    connector.calls.clear()
    await bot.send(a.message(bot.service_url, "my tasks", sender=COLLEAGUE))
    card = connector.cards("POST")[-1]
    assert card["refresh"]["userIds"] == ["29:user2"]
    assert card["refresh"]["action"]["verb"] == "mytasks.show"


async def test_finishing_a_phase_announces_it_once_with_the_next_intro(bot, connector) -> None:
    await installed(bot, connector)
    await click(bot, "task.done", {"task": "initiate.start-onboarding"})
    assert not [c for c in connector.cards("POST") if "complete" in dump(c)]
    await click(bot, "task.done", {"task": "initiate.readiness-meeting"})
    assert not [c for c in connector.cards("POST") if "complete" in dump(c)], "not signed off"
    await click(bot, "phase.signoff", {"phase": "initiate", "side": "customer"})
    announcements = [c for c in connector.cards("POST") if "Initiate is complete" in dump(c)]
    assert len(announcements) == 1
    assert CATALOG.track("assess").goal.en in dump(announcements[0])
    posted = [c for c in connector.sent("POST") if "complete" in dump(c.body)]
    assert posted[0].conversation_id == a.TEAM  # the channel's root, not a thread
    # Reopening withdraws the sign-off (said once); finishing again announces nothing until
    # the phase is signed off again (tests/test_signoff.py).
    await click(bot, "task.reopen", {"task": "initiate.readiness-meeting"})
    await click(bot, "task.done", {"task": "initiate.readiness-meeting"})
    assert len([c for c in connector.cards("POST") if "Initiate is complete" in dump(c)]) == 1
    assert len([c for c in connector.cards("POST") if "back in progress" in dump(c)]) == 1


async def test_start_walks_the_current_phase_intro_then_tasks(bot, connector) -> None:
    await installed(bot, connector)
    await bot.send(a.message(bot.service_url, "시작하기", locale="ko-KR"))
    (intro,) = connector.cards("POST")  # one card: the task list would repeat its header
    assert "단계 안내" in dump(intro) and CATALOG.track("initiate").checkpoint.ko in dump(intro)
    opened = next(x for x in card_actions(intro) if x.get("verb") == "phase.show")
    tasks = await click(bot, "phase.show", opened["data"], locale="ko-KR")
    assert '"task.done"' in dump(tasks)


async def test_only_the_manager_skips_a_phase_with_a_reason(bot, connector) -> None:
    await installed(bot, connector)
    data = {"phase": "initiate", "reason.initiate": "Microsoft started it for us"}
    body = await click(bot, "phase.skip", data, sender=COLLEAGUE)
    assert "Only the project manager" in body["value"]
    assert (await engagement(bot)).skipped_phases == {}
    body = await click(bot, "phase.skip", {"phase": "initiate"})
    assert "reason" in body["value"]
    await click(bot, "phase.skip", data)
    stored = await engagement(bot)
    assert stored.skipped_phases["initiate"].reason == "Microsoft started it for us"
    assert stored.current_phase(CATALOG).id == "assess"
    posted = dump(connector.cards("POST"))
    assert "Initiate was skipped" in posted and "Initiate is complete" not in posted


async def test_general_track_pages(bot, connector) -> None:
    await installed(bot, connector)
    first = await click(bot, "phase.show", {"phase": "general"})
    more = next(x for x in card_actions(first["value"]) if x.get("data", {}).get("page") == "1")
    second = await click(bot, "phase.show", more["data"])
    assert "Page 2 of 3" in dump(second["value"])
    body = await click(bot, "phase.show", {"phase": "general", "page": "99"})
    assert "Page 3 of 3" in dump(body["value"])


async def test_a_form_sent_back_with_errors_is_kept_as_a_draft(bot, connector) -> None:
    """The draft is kept with the engagement, in the store: a restart does not lose it."""
    await installed(bot, connector)
    await set_up(bot, language="en", timeZone="Mars/Olympus", name="Fabrikam rollout")
    await bot.restart()
    form = (await click(bot, "setup.show", {}))["value"]
    values = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert values["name"] == "Fabrikam rollout" and values["timeZone"] == "Mars/Olympus"
    await set_up(bot)
    form = (await click(bot, "setup.show", {}))["value"]
    values = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert values["name"] == "Contoso EMS rollout"  # the saved profile, the draft is gone


async def test_a_redelivered_note_is_stored_once(bot, connector) -> None:
    await installed(bot, connector)
    note = a.click(
        bot.service_url,
        "task.save",
        {"task": "initiate.start-onboarding", "view": "task", "note": "Booked"},
    )
    for _ in range(2):
        status, _ = await bot.send(note)
        assert status == 200
    assert bot.store is not None
    notes = await EngagementRepository(bot.store).notes(TEAM.id, "initiate.start-onboarding")
    assert [n.text for n in notes] == ["Booked"]
    assert (await engagement(bot)).record("initiate.start-onboarding").notes == 1


async def test_a_standing_duty_is_taken_then_acknowledged_never_done(bot, connector) -> None:
    await installed(bot, connector)
    duty = {"task": "general.test-environment"}
    body = await click(bot, "task.acknowledge", duty)
    assert "Name who is responsible first" in body["value"]
    body = await click(bot, "task.done", duty)
    assert "standing duties are acknowledged" in body["value"]
    assert (await engagement(bot)).record("general.test-environment").owner is None

    card = dump((await click(bot, "task.take", duty))["value"])
    assert '"task.acknowledge"' in card and "Not part of FastTrack's work" in card
    card = dump((await click(bot, "task.acknowledge", duty))["value"])
    assert "Acknowledged · User One" in card and '"task.reopen"' in card
    stored = await engagement(bot)
    assert stored.status_of("general.test-environment").value == "acknowledged"
    assert stored.audit_tail[-1]["to"] == "acknowledged"
    await click(bot, "task.reopen", duty)
    assert (await engagement(bot)).status_of("general.test-environment").value == "open"


async def test_services_out_of_scope_set_their_tasks_aside_until_they_are_back(
    bot, connector
) -> None:
    await installed(bot, connector)
    terms = {"task": "general.terms-of-use"}
    await set_up(bot, services="aad_premium,rms", language="en")
    stored = await engagement(bot)
    scope = [e for e in stored.audit_tail if e["change"] == "scope"]
    assert [(e["subject"], e["to"], e["reason"]) for e in scope] == [
        ("general.terms-of-use", "out", "aad_premium,rms")
    ]
    page = dump((await click(bot, "phase.show", {"phase": "general", "page": "2"}))["value"])
    assert "Out of scope: concerns Microsoft Intune" in page
    body = await click(bot, "task.na", {**terms, "reason.general.terms-of-use": "No Intune"})
    assert "not in scope" in body["value"]
    assert (await engagement(bot)).status_of("general.terms-of-use").value == "open"

    await set_up(bot, services="aad_premium,intune,rms", language="en")
    page = dump((await click(bot, "phase.show", {"phase": "general", "page": "2"}))["value"])
    assert "Out of scope" not in page
    assert [e["to"] for e in (await engagement(bot)).audit_tail if e["change"] == "scope"][
        -1
    ] == "in"
