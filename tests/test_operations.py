"""Operations: the store going away and coming back, the log line per turn, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from domain.engagement import EngagementKey
from storage.cosmos import CosmosStore
from storage.repository import EngagementRepository
from testkit import (
    PROJECT_ROOT,
    CosmosServer,
    CosmosStoreFactory,
    FakeConnector,
    FaultProxy,
    free_port,
    wait_healthy,
)
from testkit import activities as a
from tests.harness import BotHarness

TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
TASK = {"task": "initiate.start-onboarding"}


@pytest.mark.cosmos
async def test_store_outage_is_a_polite_answer_and_nothing_confirmed_is_lost(
    cosmos_server: CosmosServer,
    cosmos_store_factory: CosmosStoreFactory,
    connector: FakeConnector,
) -> None:
    cosmos_server.start()
    proxy = FaultProxy(cosmos_server.endpoint)
    await proxy.start()
    database = cosmos_store_factory.new_database_name()
    bot = BotHarness(
        lambda: CosmosStore(
            proxy.endpoint,
            cosmos_server.key,
            database,
            "engagements",
            enable_endpoint_discovery=False,
            timeout=3.0,
        ),
        connector.url,
    )
    await bot.start()
    try:
        for activity in a.install(bot.service_url):
            await bot.send(activity)
        status, body = await bot.send(a.click(bot.service_url, "task.done", TASK))
        assert status == 200 and "Done · User One" in json.dumps(body, ensure_ascii=False)

        proxy.fail(503, documents_only=False)
        status, body = await bot.send(
            a.click(bot.service_url, "task.done", {"task": "initiate.readiness-meeting"})
        )
        assert status == 200
        assert body["type"] == "application/vnd.microsoft.activity.message"
        assert "can't save right now" in body["value"]
        connector.calls.clear()
        status, _ = await bot.send(a.message(bot.service_url, "status"))
        assert status in (200, 201)
        assert "can't save right now" in json.dumps(connector.cards("POST"))
        health_status, _ = await bot.get("/healthz")
        assert health_status == 503

        proxy.heal()  # back, without restarting the bot
        status, body = await bot.send(
            a.click(bot.service_url, "task.done", {"task": "initiate.readiness-meeting"})
        )
        assert status == 200 and body["type"].endswith("card.adaptive")
        assert bot.store is not None
        engagement = await EngagementRepository(bot.store).get(TEAM.id)
        assert engagement is not None
        assert {"initiate.start-onboarding", "initiate.readiness-meeting"} <= set(engagement.tasks)
    finally:
        await bot.stop()
        await proxy.stop()


async def test_one_structured_log_line_per_turn_without_message_text(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.turns")
    await bot.send(a.message(bot.service_url, "status my-secret-words"))
    await bot.send(a.click(bot.service_url, "task.done", TASK))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "bot.turns"]
    assert [line["type"] for line in lines] == ["message", "invoke"]
    assert lines[1]["verb"] == "task.done" and lines[1]["tenant"] == a.TENANT
    assert all({"conversation", "status", "outcome", "latency_ms"} <= set(x) for x in lines)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "my-secret-words" not in everything


async def test_a_turn_is_logged_once_and_other_requests_by_the_access_log(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """aiohttp's access log line would repeat the turn's (bot/limits.py, OtherRequestsLog)."""
    caplog.set_level(logging.INFO, logger="bot.turns")
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    await bot.send(a.click(bot.service_url, "task.done", TASK))
    await bot.get("/healthz")
    # The fake connector in this process has an access log too: only the bot's requests.
    lines = [
        r.name
        for r in caplog.records
        if r.name == "bot.turns" or any(p in r.getMessage() for p in ("/api/messages", "/healthz"))
    ]
    assert lines == ["bot.turns", "aiohttp.access"]


async def test_sigterm_shuts_down_cleanly_and_a_restart_keeps_everything(
    tmp_path: Path, connector: FakeConnector
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "BOT_DATA_DIR": str(tmp_path),
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "BOT_ANONYMOUS": "true",
        "NUDGE_INTERVAL_SECONDS": "0.2",
    }
    url = f"http://127.0.0.1:{port}"

    def launch() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    process = launch()
    try:
        await wait_healthy(f"{url}/healthz", process)
        async with aiohttp.ClientSession() as session:
            for activity in [*a.install(connector.url), a.click(connector.url, "task.done", TASK)]:
                async with session.post(f"{url}/api/messages", json=activity) as answer:
                    assert answer.status in (200, 201)
            # The next click's turn is held inside the bot (its shared-card update waits on
            # the connector) when SIGTERM arrives: it must still finish and answer.
            connector.delay_s = 1.0
            connector.calls.clear()
            click = a.click(connector.url, "task.done", {"task": "initiate.readiness-meeting"})
            in_flight = asyncio.ensure_future(session.post(f"{url}/api/messages", json=click))
            while not connector.sent("PUT"):  # noqa: ASYNC110 - polls the fake's record
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGTERM)
            response = await in_flight
        assert process.wait(timeout=20) == 0
        assert response.status == 200, "a turn in flight finishes before the process exits"
        stderr = process.stderr.read().decode() if process.stderr else ""
        assert "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
    restarted = launch()
    try:
        await wait_healthy(f"{url}/healthz", restarted)
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{url}/api/messages", json=a.click(connector.url, "status.show")
            ) as response,
        ):
            overview = json.dumps(await response.json())
        assert "2 done" in overview
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=20)
