"""Nudges end to end: the run endpoint, delivery faults, racing schedulers, cancelled runs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

from bot.adapter import OnboardingAdapter
from bot.config import Settings
from bot.outbound import Outbound
from bot.proactive import ProactivePoster
from dialogs.nudges import Nudger
from dialogs.services import Services
from domain.catalog import default_catalog
from domain.engagement import Actor, Engagement, EngagementKey
from storage.base import DocumentStore
from storage.embedded import EmbeddedStore
from storage.repository import EngagementRepository
from testkit import PROJECT_ROOT, FakeConnector, card_actions, free_port, wait_healthy
from testkit import activities as a
from testkit.connector import RecordedCall
from tests.harness import BotHarness

CATALOG = default_catalog()
SECRET = "s3cret-for-tests"
# Monday 30 Nov 2026, 09:05 UTC: just after the default weekday 09:00 slot (UTC before setup).
MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")


@pytest.fixture
async def nudge_bot(store_factory, connector: FakeConnector):
    clock = {"now": datetime(2026, 11, 29, 12, 0, tzinfo=UTC)}  # installed on Sunday
    harness = BotHarness(
        store_factory,
        connector.url,
        clock=lambda: clock["now"],
        settings=Settings(nudges_enabled=False, nudge_run_secret=SECRET),
    )
    await harness.start()
    harness.clock_state = clock  # type: ignore[attr-defined]
    yield harness
    await harness.stop()


async def run(bot: BotHarness, secret: str | None = SECRET) -> tuple[int, dict]:
    assert bot.session is not None
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    async with bot.session.post(bot.make_url("/api/nudges/run"), headers=headers) as r:
        return r.status, await r.json()


async def prepare(bot: BotHarness, connector: FakeConnector) -> None:
    for activity in a.install(bot.service_url):
        await bot.send(activity)
    form = {"task": "initiate.start-onboarding", "owner": "aad-user2", "due": "2026-11-27"}
    status, _ = await bot.send(a.click(bot.service_url, "task.save", form))
    assert status == 200
    connector.calls.clear()


def channel_posts(connector: FakeConnector) -> list[RecordedCall]:
    """Posts to the team's channel (the owner of the overdue task also gets a personal
    reminder in their 1:1 chat: tests/test_personal_reminders.py)."""
    return [c for c in connector.sent("POST") if c.path.startswith(f"/v3/conversations/{a.TEAM}/")]


def nudges(connector: FakeConnector) -> list[dict]:
    return [c for c in connector.cards("POST") if "Reminder" in json.dumps(c)]


async def test_run_endpoint_posts_one_digest_per_slot(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    status, report = await run(nudge_bot)
    assert status == 200
    assert status == 200 and report["sent"] == [TEAM.id]
    [card] = nudges(connector)
    text = json.dumps(card, ensure_ascii=False)
    assert "Overdue" in text and "<at>Kim Minji</at>" in text
    assert any(e["mentioned"]["id"] == "aad-user2" for e in card["msteams"]["entities"])
    assert connector.sent("POST")[0].conversation_id == a.TEAM
    # The same slot again, or a second run a minute later: nothing more.
    nudge_bot.clock_state["now"] = MONDAY + timedelta(minutes=1)
    status, report = await run(nudge_bot)
    assert status == 200
    assert report["sent"] == [] and len(nudges(connector)) == 1
    # Tuesday's slot: the next nudge.
    nudge_bot.clock_state["now"] = MONDAY + timedelta(days=1)
    await run(nudge_bot)
    assert len(nudges(connector)) == 2


async def test_done_on_the_nudge_card_marks_the_task(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    await run(nudge_bot)
    [card] = nudges(connector)
    done = next(x for x in card_actions(card) if x.get("verb") == "task.done")
    status, _ = await nudge_bot.send(a.click(nudge_bot.service_url, done["verb"], done["data"]))
    assert status == 200
    engagement = await EngagementRepository(nudge_bot.store).get(TEAM.id)
    assert engagement.status_of("initiate.start-onboarding").value == "done"


@pytest.mark.parametrize("secret", [None, "wrong", ""])
async def test_run_endpoint_refuses_without_the_secret(nudge_bot, connector, secret) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    status, _ = await run(nudge_bot, secret)
    assert status == 401
    assert channel_posts(connector) == []


async def test_nothing_to_say_sends_nothing(nudge_bot, connector) -> None:
    for activity in a.install(nudge_bot.service_url):
        await nudge_bot.send(activity)
    for task in CATALOG.tasks_of("initiate"):
        await nudge_bot.send(a.click(nudge_bot.service_url, "task.take", {"task": task.id}))
    connector.calls.clear()
    nudge_bot.clock_state["now"] = MONDAY
    status, report = await run(nudge_bot)
    assert status == 200
    assert report["quiet"] == [TEAM.id] and channel_posts(connector) == []


async def test_server_error_is_retried_and_sent_once(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    connector.fail_next(500)
    status, report = await run(nudge_bot)
    assert status == 200
    assert report["sent"] == [TEAM.id]
    assert len(channel_posts(connector)) == 2  # one failed attempt, one delivered
    assert len(nudges(connector)) == 2 and connector.failures == []


async def test_throttled_post_waits_for_retry_after(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    connector.fail_next(429, headers={"Retry-After": "1"})
    started = asyncio.get_running_loop().time()
    status, report = await run(nudge_bot)
    assert status == 200
    assert report["sent"] == [TEAM.id] and len(channel_posts(connector)) == 2
    assert asyncio.get_running_loop().time() - started >= 1.0


async def test_forbidden_marks_the_channel_unreachable_and_stops(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    connector.fail_next(403, headers={})
    status, report = await run(nudge_bot)
    assert status == 200
    assert report["unreachable"] == [TEAM.id] and len(channel_posts(connector)) == 1
    nudge_bot.clock_state["now"] = MONDAY + timedelta(days=1)
    status, report = await run(nudge_bot)
    assert status == 200
    assert report == {"sent": [], "quiet": [], "unreachable": [], "failed": [], "taken": []}
    assert len(channel_posts(connector)) == 1
    # status (from a personal chat, the channel being gone) shows it.
    engagement = await EngagementRepository(nudge_bot.store).get(TEAM.id)
    assert engagement.unreachable and engagement.unreachable["status"] == "403"


async def test_uninstall_stops_nudges(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    removed = a.install(nudge_bot.service_url)[1] | {"action": "remove"}
    await nudge_bot.send(removed)
    nudge_bot.clock_state["now"] = MONDAY
    status, report = await run(nudge_bot)
    assert status == 200
    assert report["sent"] == [] and channel_posts(connector) == []


async def test_snooze_and_stop_from_the_card(nudge_bot, connector) -> None:
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    await run(nudge_bot)
    await nudge_bot.send(a.click(nudge_bot.service_url, "nudge.snooze", {}))
    nudge_bot.clock_state["now"] = MONDAY + timedelta(days=1)  # Tuesday: snoozed
    await run(nudge_bot)
    assert len(nudges(connector)) == 1
    nudge_bot.clock_state["now"] = MONDAY + timedelta(days=2)  # Wednesday
    await run(nudge_bot)
    assert len(nudges(connector)) == 2
    colleague = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
    _, body = await nudge_bot.send(
        a.click(nudge_bot.service_url, "nudge.stop", {}, sender=colleague)
    )
    assert "Only the project manager" in body["value"]
    await nudge_bot.send(a.click(nudge_bot.service_url, "nudge.stop", {}))
    nudge_bot.clock_state["now"] = MONDAY + timedelta(days=3)
    await run(nudge_bot)
    assert len(nudges(connector)) == 2
    _, body = await nudge_bot.send(a.click(nudge_bot.service_url, "nudge.resume", {}))
    assert "Reminders are on again" in json.dumps(body)
    nudge_bot.clock_state["now"] = MONDAY + timedelta(days=4)
    await run(nudge_bot)
    assert len(nudges(connector)) == 3


async def _many_engagements(tmp_path: Path, connector: FakeConnector, n: int):
    store = EmbeddedStore(tmp_path / "race")
    await store.open()
    repo = EngagementRepository(store)
    created = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    for i in range(n):
        key = EngagementKey(f"tenant-{i}", f"conv-{i}")
        e = Engagement(key, "channel", created, installed_by=Actor("29:pm", "PM"))
        e.conversation_reference = a.conversation_reference(
            connector.url, f"conv-{i}", f"tenant-{i}"
        )
        await repo.create_if_missing(e)
    return store


_adapters: list[OnboardingAdapter] = []


@pytest.fixture(autouse=True)
async def close_adapters() -> AsyncIterator[None]:
    yield
    while _adapters:
        await _adapters.pop().close()


def _nudger(store: EmbeddedStore) -> Nudger:
    adapter = OnboardingAdapter(
        ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
    )
    _adapters.append(adapter)  # closed after the test
    services = Services(EngagementRepository(store), CATALOG, lambda: MONDAY)
    return Nudger(services, ProactivePoster(Outbound(adapter, "")))


async def test_two_schedulers_racing_over_200_engagements_nudge_each_once(tmp_path, connector):
    store = await _many_engagements(tmp_path, connector, 200)
    try:
        first, second = await asyncio.gather(_nudger(store).run(MONDAY), _nudger(store).run(MONDAY))
        per_conversation = Counter(c.conversation_id for c in connector.sent("POST"))
        assert len(per_conversation) == 200 and set(per_conversation.values()) == {1}
        assert len(first.sent) + len(second.sent) == 200
        assert not set(first.sent) & set(second.sent)
    finally:
        await store.close()


async def test_a_run_cancelled_midway_then_run_again_sends_the_rest_once(tmp_path, connector):
    # More than the run keeps in flight (CONCURRENCY), so a cancelled run leaves some unsent.
    store = await _many_engagements(tmp_path, connector, 200)
    try:
        nudger = _nudger(store)
        task = asyncio.create_task(nudger.run(MONDAY))
        while len(connector.sent("POST")) < 10:  # noqa: ASYNC110 - polls the fake's record
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await nudger.drain()
        sent_before = len(connector.sent("POST"))
        assert 10 <= sent_before < 200
        await _nudger(store).run(MONDAY)
        per_conversation = Counter(c.conversation_id for c in connector.sent("POST"))
        assert len(per_conversation) == 200 and set(per_conversation.values()) == {1}
    finally:
        await store.close()


async def test_two_bot_processes_on_one_store_post_each_nudge_once(
    tmp_path: Path, connector: FakeConnector
) -> None:
    """Two real `python app.py` instances, schedulers on, sharing the embedded store."""
    store = EmbeddedStore(tmp_path)
    await store.open()
    repo = EngagementRepository(store)
    long_ago = datetime.now(UTC) - timedelta(days=8)  # a weekday 09:00 UTC slot has passed
    for i in range(20):
        e = Engagement(
            EngagementKey(a.TENANT, f"conv-{i}"),
            "channel",
            long_ago,
            installed_by=Actor("29:pm", "PM"),
        )
        e.conversation_reference = a.conversation_reference(connector.url, f"conv-{i}")
        await repo.create_if_missing(e)
    await store.close()

    processes = []
    for _ in range(2):
        port = free_port()
        env = {
            **os.environ,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "BOT_DATA_DIR": str(tmp_path),
            "BOT_ANONYMOUS": "true",
            "NUDGE_INTERVAL_SECONDS": "0.1",
        }
        process = subprocess.Popen(  # noqa: ASYNC220 - each bot is a process of its own
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
    try:
        for _ in range(300):
            if len({c.conversation_id for c in connector.sent("POST")}) == 20:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # several more scheduler rounds on both instances
        per_conversation = Counter(c.conversation_id for c in connector.sent("POST"))
        assert len(per_conversation) == 20 and set(per_conversation.values()) == {1}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            assert process.wait(timeout=20) == 0


async def test_a_long_retry_after_never_gives_a_second_digest(nudge_bot, connector) -> None:
    """Teams answers 429 with Retry-After: 130, longer than the run's claim lasts: the run
    gives the post up at once instead of sleeping past its claim, and the slot is sent once,
    by the run that takes it over after the claim lapsed."""
    await prepare(nudge_bot, connector)
    nudge_bot.clock_state["now"] = MONDAY
    connector.fail_next(429, headers={"Retry-After": "130"})
    async with asyncio.timeout(20):  # it used to sleep the 130 s, holding the claim
        status, report = await run(nudge_bot)
    assert status == 200 and report["failed"] == [TEAM.id]
    assert len(nudges(connector)) == 1, "only the refused attempt (the fake records it)"
    # While the claim holds, another run leaves the slot alone.
    nudge_bot.clock_state["now"] = MONDAY + timedelta(minutes=1)
    assert (await run(nudge_bot))[1]["taken"] == [TEAM.id]
    # Once it lapsed, one run sends it; later ones find it sent.
    for minutes in (3, 4):
        nudge_bot.clock_state["now"] = MONDAY + timedelta(minutes=minutes)
        await run(nudge_bot)
    assert len(nudges(connector)) == 2, "the refused attempt and one digest"


async def test_a_scheduler_change_leaves_the_document_a_whole_change_leaves(
    document_store: DocumentStore,
) -> None:
    """`update_schedule` serialises and compares only the schedule state: the stored document
    must be the one `update` (everything serialised and compared) leaves, before and after
    the engagement's first patch (on the embedded store, the one that splits its maps)."""
    repo = EngagementRepository(document_store)
    created, slot = datetime(2026, 11, 29, 12, 0, tzinfo=UTC), datetime(2026, 11, 30, 9, tzinfo=UTC)
    pm = Actor("29:pm", "PM", "aad-pm")
    reference = a.conversation_reference("http://x/", "conv", a.TENANT)
    whole, scheduled = EngagementKey(a.TENANT, "whole").id, EngagementKey(a.TENANT, "sched").id
    for engagement_id in (whole, scheduled):
        key = EngagementKey(a.TENANT, "whole" if engagement_id == whole else "sched")
        e = Engagement(key, "channel", created, installed_by=pm, conversation_reference=reference)
        await repo.create_if_missing(e)
    lease = timedelta(minutes=2)
    schedule_changes: list[Callable[[Engagement], object]] = [
        lambda e: e.claim_nudge(slot, "run", MONDAY, lease),
        lambda e: e.complete_nudge(slot),
        lambda e: e.claim_report(slot, "run", MONDAY, lease),
        lambda e: e.mark_unreachable(403, MONDAY),
    ]
    for n, change in enumerate(schedule_changes):
        await repo.update(whole, change)
        await repo.update_schedule(scheduled, change)
        if n == 1:  # a click in between, written by both the same way
            for engagement_id in (whole, scheduled):
                await repo.update(
                    engagement_id, lambda e: e.snooze(MONDAY, actor=pm, at=MONDAY, op_id="s")
                )
        bodies = []
        for engagement_id in (whole, scheduled):
            stored = await document_store.read(engagement_id, "engagement")
            assert stored is not None
            bodies.append({k: v for k, v in stored.body.items() if k != "conversationKey"})
        assert bodies[0] == bodies[1]
