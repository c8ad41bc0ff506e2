"""Bad input gets a 4xx or a polite card, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest

from domain.engagement import EngagementKey
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness

ENGAGEMENT = EngagementKey(a.TENANT, f"team:{a.TEAM}")


async def _installed(bot: BotHarness) -> dict:
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    assert bot.store is not None
    doc = await bot.store.read(ENGAGEMENT.id, "engagement")
    assert doc is not None
    return doc.body


async def _state(bot: BotHarness) -> dict | None:
    assert bot.store is not None
    doc = await bot.store.read(ENGAGEMENT.id, "engagement")
    return doc.body if doc else None


async def test_body_that_is_not_json(bot: BotHarness) -> None:
    before = await _installed(bot)
    status, _ = await bot.post_raw(b"{not json")
    assert status == 400
    assert await _state(bot) == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_wrong_content_type(bot: BotHarness, content_type: str) -> None:
    before = await _installed(bot)
    body = json.dumps(a.click(bot.service_url, "task.done", {"task": "initiate.start-onboarding"}))
    status, _ = await bot.post_raw(body.encode(), content_type=content_type)
    assert status == 400
    assert await _state(bot) == before


@pytest.mark.parametrize("body", [b"[]", b"42", b'"text"', b"null"])
async def test_json_that_is_not_an_object(bot: BotHarness, body: bytes) -> None:
    status, _ = await bot.post_raw(body)
    assert status == 400


async def test_activity_without_conversation(bot: BotHarness) -> None:
    before = await _installed(bot)
    activity = a.click(bot.service_url, "task.done", {"task": "initiate.start-onboarding"})
    del activity["conversation"]
    status, _ = await bot.send(activity)
    assert status == 400
    assert await _state(bot) == before


async def test_unknown_verb_is_a_400_invoke_response(bot: BotHarness) -> None:
    before = await _installed(bot)
    status, body = await bot.send(a.click(bot.service_url, "task.delete_everything", {"task": "x"}))
    assert status == 400
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert await _state(bot) == before


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        {"action": "x"},
        {"action": {"type": "Action.Submit", "verb": "task.done"}},
        {"action": {"type": "Action.Execute", "verb": "task.done", "data": ["x"]}},
        {"action": {"type": "Action.Execute", "verb": "task.done", "data": {"task": 7}}},
        {"action": {"type": "Action.Execute", "verb": "task.done", "data": {"task": "x" * 10_000}}},
        {"action": {"type": "Action.Execute", "verb": 12, "data": {}}},
    ],
)
async def test_invoke_value_of_the_wrong_shape(bot: BotHarness, value: object) -> None:
    before = await _installed(bot)
    activity = a.click(bot.service_url, "task.done")
    activity["value"] = value
    status, body = await bot.send(activity)
    assert status == 400, body
    assert await _state(bot) == before


async def test_task_that_does_not_exist(bot: BotHarness) -> None:
    before = await _installed(bot)
    status, body = await bot.send(a.click(bot.service_url, "task.done", {"task": "assess.no-such"}))
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "not on this checklist" in body["value"]
    assert await _state(bot) == before


async def test_not_applicable_without_reason(bot: BotHarness) -> None:
    before = await _installed(bot)
    status, body = await bot.send(
        a.click(bot.service_url, "task.na", {"task": "initiate.start-onboarding"}, locale="ko-KR")
    )
    assert status == 200
    assert "이유" in body["value"]
    assert await _state(bot) == before


async def test_reason_over_the_limit(bot: BotHarness) -> None:
    before = await _installed(bot)
    data = {"task": "initiate.start-onboarding", "reason.initiate.start-onboarding": "x" * 501}
    status, body = await bot.send(a.click(bot.service_url, "task.na", data))
    assert status == 200
    assert "too long" in body["value"]
    assert await _state(bot) == before


async def test_text_of_100_kb(bot: BotHarness, connector: FakeConnector) -> None:
    before = await _installed(bot)
    connector.reset()
    status, _ = await bot.send(a.message(bot.service_url, "status " + "x" * 100_000))
    assert status in (200, 201)
    assert "too long" in json.dumps(connector.cards("POST")[-1])
    assert await _state(bot) == before


async def test_request_over_the_body_limit(bot: BotHarness) -> None:
    status, _ = await bot.post_raw(json.dumps(a.message(bot.service_url, "x" * 400_000)).encode())
    assert status == 413


async def test_forged_ids_in_card_data_change_nothing_anywhere(
    bot: BotHarness, connector: FakeConnector
) -> None:
    """A click lands in the conversation it arrives in. The one pointer card data may carry
    (the engagement of a 'my tasks' entry) is refused unless the clicker owns that task."""
    personal = EngagementKey(a.TENANT, f"person:{a.USER['aadObjectId']}")
    for activity in a.install(
        bot.service_url, conversation="a:personal", conversation_type="personal"
    ):
        await bot.send(activity)
    team_before = await _installed(bot)
    assert bot.store is not None
    personal_before = (await bot.store.read(personal.id, "engagement")).body
    forged = {"task": "initiate.start-onboarding", "engagement": ENGAGEMENT.id}
    status, body = await bot.send(
        a.click(
            bot.service_url,
            "task.done",
            forged,
            conversation="a:personal",
            conversation_type="personal",
        )
    )
    assert status == 200
    assert "Only the task's owner" in body["value"]
    assert await _state(bot) == team_before
    assert (await bot.store.read(personal.id, "engagement")).body == personal_before

    for bogus in ("eng-../../x", "x" * 80, 12):
        status, _ = await bot.send(
            a.click(
                bot.service_url,
                "task.done",
                {"task": "initiate.start-onboarding", "engagement": bogus},
            )
        )
        assert status == 400
    assert await _state(bot) == team_before


async def test_ids_for_other_conversations_in_card_data_are_ignored(bot: BotHarness) -> None:
    await _installed(bot)
    data = {
        "task": "initiate.start-onboarding",
        "conversation": "19:other@thread.tacv2",
        "tenant": "other-tenant",
    }
    status, _ = await bot.send(a.click(bot.service_url, "task.done", data))
    assert status == 200
    assert "initiate.start-onboarding" in (await _state(bot))["tasks"]
    assert bot.store is not None
    other = EngagementKey("other-tenant", "19:other@thread.tacv2")
    assert await bot.store.read(other.id, "engagement") is None


@pytest.mark.parametrize("sender", [None, {}, {"id": ""}, {"name": "no id"}])
async def test_activities_without_a_sender_get_400_and_change_nothing(
    bot: BotHarness, connector: FakeConnector, caplog: pytest.LogCaptureFixture, sender: object
) -> None:
    """Installation events, messages and clicks all act for someone: without a sender they
    are refused at the door, before any flow runs, and nothing is stored or logged as an
    unhandled error."""
    activities = [
        *a.install(bot.service_url),
        a.message(bot.service_url, "status"),
        a.click(bot.service_url, "task.done", {"task": "initiate.start-onboarding"}),
    ]
    for activity in activities:
        if sender is None:
            del activity["from"]
        else:
            activity["from"] = sender
        status, body = await bot.send(activity)
        assert status == 400, (activity["type"], body)
    assert await _state(bot) is None
    assert connector.calls == []
    assert "Traceback" not in caplog.text and "turn error" not in caplog.text.lower()
