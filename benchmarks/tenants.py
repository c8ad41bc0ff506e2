"""Nudge fan-out over many tenants (issue 22 item 2): one `Nudger.run(now)` over
`tenants` × `per_tenant` due channel engagements (and as many stored that are not due),
against the fake Bot Connector, in a process of its own (benchmarks/remote_connector.py),
enforcing Teams' limits (50 sends/s per tenant, 7/s per conversation, 429 with Retry-After
beyond them) and answering after ROUND_TRIP_S, as a remote service does. The bot's own
ceiling is measured in the same run, before and after: the same sender (Outbound with its
rate limiter, the adapter, the app's outbound threads) posting one pre-rendered nudge to
each of the same conversations on CONCURRENCY workers, with no store and no rendering."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from benchmarks.common import frozen_heap
from benchmarks.nudges import CREATED, NOW, SLOT, counted_warnings
from benchmarks.remote_connector import RemoteConnector
from benchmarks.seed import engagement, seed
from bot.adapter import OnboardingAdapter
from bot.config import Settings
from bot.connectors import use_outbound_threads
from bot.messages import card_message
from bot.outbound import Outbound
from bot.proactive import ProactivePoster
from bot.ratelimit import TENANT_PER_SECOND, RateLimiter
from cards.nudge import nudge_card
from dialogs.due_run import BATCH, CONCURRENCY
from dialogs.nudges import Nudger
from dialogs.services import Services
from domain.catalog import default_catalog
from domain.engagement import Engagement
from storage.base import DocumentStore
from storage.repository import EngagementRepository
from testkit import CountingStore

# Seconds the fake connector takes to answer a send: an assumption for Teams' Bot Connector
# seen from an Azure region (Microsoft publishes no figure), which the sends in flight cover.
ROUND_TRIP_S = 0.1


@dataclass
class Ceiling:
    sent: int
    seconds: float
    cpu_s: float

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


@dataclass
class TenantsRun:
    tenants: int
    per_tenant: int
    stored: int
    sent: int
    failed: int
    throttled: int
    # Message sends per due conversation the connector saw: every one exactly once.
    nudged_once: int
    nudged_more: int
    seconds: float
    cpu_s: float
    ceilings: list[Ceiling]
    # The most sends one tenant had accepted within any one second.
    busiest_tenant: int
    retries_logged: int
    store: dict[str, Any]

    @property
    def due(self) -> int:
        return self.tenants * self.per_tenant

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    @property
    def ceiling_per_second(self) -> float:
        """The mean of the ceilings measured before and after the run (load drifts)."""
        return sum(c.per_second for c in self.ceilings) / len(self.ceilings)

    @property
    def share_of_ceiling(self) -> float:
        ceiling = self.ceiling_per_second
        return self.per_second / ceiling if ceiling else 0.0

    @property
    def share_of_tenant_limit(self) -> float:
        return self.per_second / TENANT_PER_SECOND

    @property
    def cpu_ms_per_send(self) -> float:
        return self.cpu_s * 1000 / self.sent if self.sent else 0.0

    @property
    def ceiling_cpu_ms_per_send(self) -> float:
        sent = sum(c.sent for c in self.ceilings)
        return sum(c.cpu_s for c in self.ceilings) * 1000 / sent if sent else 0.0


def _conversation(index: int) -> str:
    return f"19:fleet-{index}@thread.tacv2"


def _engagements(service_url: str, tenants: int, per_tenant: int) -> list[Engagement]:
    """The due ones first, tenant by tenant; then as many nudged for today's slot already
    (indexed, not due), spread over the same tenants."""
    due = tenants * per_tenant
    made = []
    for index in range(2 * due):
        tenant = f"tenant-{(index % due) // per_tenant:04d}"
        e = engagement(service_url, tenant, _conversation(index), "channel", CREATED)
        if index >= due:
            e.last_nudged_at = SLOT
        made.append(e)
    return made


def busiest_tenant(arrived: dict[str, list[float]], tenant_of: dict[str, str]) -> int:
    """The most sends one tenant got accepted within any one second (sliding)."""
    per_tenant: dict[str, list[float]] = {}
    for conversation, times in arrived.items():
        per_tenant.setdefault(tenant_of.get(conversation, "?"), []).extend(times)
    busiest = 0
    for times in per_tenant.values():
        times.sort()
        start = 0
        for end, at in enumerate(times):
            while times[start] <= at - 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
    return busiest


async def sender_ceiling(
    outbound: Outbound, posts: list[tuple[dict[str, Any], Activity]]
) -> Ceiling:
    """Posts each pre-rendered message to its reference on CONCURRENCY workers, as the
    nudger's run does (a worker takes the next post as soon as it is done with one)."""
    pending = iter(posts)
    sent = 0

    async def worker() -> None:
        nonlocal sent
        for reference, activity in pending:
            await outbound.post(reference, activity)
            sent += 1

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return Ceiling(sent, time.perf_counter() - started, time.process_time() - cpu)


async def tenants_fanout(
    store: DocumentStore, *, tenants: int, per_tenant: int, log: Path
) -> TenantsRun:
    with frozen_heap():  # the nudger runs in this process, beside the earlier sections' data
        return await _fanout(store, tenants=tenants, per_tenant=per_tenant, log=log)


async def _fanout(store: DocumentStore, *, tenants: int, per_tenant: int, log: Path) -> TenantsRun:
    use_outbound_threads(asyncio.get_running_loop())  # as the app does at start-up
    async with RemoteConnector.running(ROUND_TRIP_S, log) as connector:
        counting = CountingStore(store)
        await counting.open()
        try:
            return await _measure(connector, counting, tenants=tenants, per_tenant=per_tenant)
        finally:
            await counting.close()


async def _measure(
    connector: RemoteConnector, counting: CountingStore, *, tenants: int, per_tenant: int
) -> TenantsRun:
    adapter: OnboardingAdapter | None = None
    try:
        seeded = _engagements(connector.url, tenants, per_tenant)
        await seed(counting, seeded)
        tenant_of = {e.key.conversation_key: e.key.tenant_id for e in seeded}
        await connector.set_tenants(tenant_of)
        adapter = OnboardingAdapter(
            ConfigurationBotFrameworkAuthentication(Settings().bot_framework_config())
        )
        catalog = default_catalog()
        services = Services(EngagementRepository(counting), catalog, lambda: NOW)
        due = seeded[: tenants * per_tenant]
        sample = due[0]
        card = nudge_card(
            sample, catalog, sample.digest(catalog, NOW), services.engagement_view(sample, NOW)
        )
        references = [e.conversation_reference for e in due if e.conversation_reference]
        del seeded, due, sample

        async def ceiling() -> Ceiling:
            # One message each (sending fills in its conversation); windows start empty.
            posts = [(r, card_message(card)) for r in references]
            await connector.enforce_limits()
            with counted_warnings("bot.outbound"):
                return await sender_ceiling(Outbound(adapter, "", limiter=RateLimiter()), posts)

        ceilings = [await ceiling()]
        await connector.enforce_limits()
        await connector.clear()
        counting.reset()
        nudger = Nudger(services, ProactivePoster(Outbound(adapter, "", limiter=RateLimiter())))
        with counted_warnings("bot.outbound") as warnings:
            cpu, started = time.process_time(), time.perf_counter()
            report = await nudger.run(NOW)
            seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        seen = await connector.summary()
        store_calls = counting.snapshot()
        sends = seen.sends
        ceilings.append(await ceiling())
        return TenantsRun(
            tenants=tenants,
            per_tenant=per_tenant,
            stored=2 * tenants * per_tenant,
            sent=len(report.sent),
            failed=len(report.failed),
            throttled=seen.throttled,
            nudged_once=sum(1 for r in references if sends.get(r["conversation"]["id"]) == 1),
            nudged_more=sum(1 for n in sends.values() if n > 1),
            seconds=seconds,
            cpu_s=cpu_s,
            ceilings=ceilings,
            busiest_tenant=busiest_tenant(seen.arrived, tenant_of),
            retries_logged=warnings.records,
            store=store_calls,
        )
    finally:
        if adapter is not None:
            await adapter.close()


def queries_bound(due: int) -> int:
    """Batches of BATCH due engagements, plus the query that finds none left."""
    return -(-due // BATCH) + 1
