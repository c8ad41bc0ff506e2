"""Issue 18 item 3: a skip is announced as a skip, reintroduces nothing and can be undone."""

from __future__ import annotations

import json
from typing import Any

from domain.catalog import default_catalog
from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import activities as a
from testkit import card_actions
from tests.harness import BotHarness
from tests.steps import click, installed, set_up

CATALOG = default_catalog()
TEAM = EngagementKey(a.TENANT, f"team:{a.TEAM}")
COLLEAGUE = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
SKIP_REMEDIATE = {"phase": "remediate", "reason.remediate": "Nothing to remediate"}


def dump(card: Any) -> str:
    return json.dumps(card, ensure_ascii=False)


async def stored(bot: BotHarness):
    assert bot.store is not None
    return await EngagementRepository(bot.store).get(TEAM.id)


async def test_skipping_a_later_phase_announces_a_skip_and_reintroduces_nothing(
    bot, connector
) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    connector.calls.clear()
    await click(bot, "phase.skip", SKIP_REMEDIATE)
    posted = [dump(card) for card in connector.cards("POST")]
    assert len(posted) == 1
    assert "Remediate was skipped" in posted[0] and "Nothing to remediate" in posted[0]
    assert "complete" not in posted[0]
    assert CATALOG.track("initiate").goal.en not in posted[0], "the phase in progress"
    assert '"phase.unskip"' in posted[0]
    # Done with Remediate's tasks later: the skipped phase is not announced as complete.
    connector.calls.clear()
    for task in CATALOG.tasks_of("remediate"):
        await click(bot, "task.done", {"task": task.id})
    assert not [c for c in connector.cards("POST") if "complete" in dump(c)]


async def test_skipping_the_current_phase_introduces_the_next(bot, connector) -> None:
    await installed(bot, connector)
    await click(bot, "phase.skip", {"phase": "initiate", "reason.initiate": "Done by Microsoft"})
    (posted,) = connector.cards("POST")
    assert "Initiate was skipped" in dump(posted) and "complete" not in dump(posted)
    assert CATALOG.track("assess").goal.en in dump(posted)


async def test_the_manager_undoes_a_skip_audited_and_the_phase_counts_again(bot, connector) -> None:
    await installed(bot, connector)
    await set_up(bot, language="en")
    await click(bot, "phase.skip", SKIP_REMEDIATE)
    phase = (await click(bot, "phase.show", {"phase": "remediate"}))["value"]
    assert "phase.unskip" in {x.get("verb") for x in card_actions(phase)}
    refused = await click(bot, "phase.unskip", {"phase": "remediate"}, sender=COLLEAGUE)
    assert "Only the project manager" in dump(refused)
    assert "remediate" in (await stored(bot)).skipped_phases
    body = await click(bot, "phase.unskip", {"phase": "remediate"})
    assert "Remediate is back in the plan." in dump(body["value"])
    engagement = await stored(bot)
    assert engagement.skipped_phases == {} and "remediate" not in engagement.completed_phases
    last = engagement.audit_tail[-1]
    assert (last["subject"], last["change"], last["from"], last["to"]) == (
        "remediate",
        "skip",
        "skipped",
        None,
    )
    # Its completion is announced when its tasks are done.
    connector.calls.clear()
    for task in CATALOG.tasks_of("remediate"):
        await click(bot, "task.done", {"task": task.id})
    await set_up(bot, language="en", fastTrackEngineers="aad-user2")
    await click(bot, "phase.signoff", {"phase": "remediate", "side": "customer"})
    await click(bot, "phase.signoff", {"phase": "remediate", "side": "fasttrack"}, sender=COLLEAGUE)
    assert [c for c in connector.cards("POST") if "Remediate is complete" in dump(c)]
