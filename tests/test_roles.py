"""Who may set the engagement up does not depend on the order of activities: the installer
comes only from the installation event; where Teams sends none, the first person to open
setup takes that part, recorded in the audit trail (issue 16 item 2)."""

from __future__ import annotations

from domain.engagement import EngagementKey
from storage.repository import EngagementRepository
from testkit import FakeConnector
from testkit import activities as a
from tests.harness import BotHarness

ENGAGEMENT = EngagementKey(a.TENANT, f"team:{a.TEAM}")
OTHER = {"id": "29:user2", "name": "Kim Minji", "aadObjectId": "aad-user2"}
NOT_PERMITTED = "Only the project manager"


async def _open_setup(bot: BotHarness, sender: dict[str, str], **kw: str) -> str:
    status, body = await bot.send(a.click(bot.service_url, "setup.show", {}, sender=sender, **kw))
    assert status == 200, body
    return str(body["value"])


async def test_a_message_before_the_installation_does_not_make_its_author_manager(
    bot: BotHarness, connector: FakeConnector
) -> None:
    status, _ = await bot.send(a.message(bot.service_url, "status", sender=OTHER))
    assert status in (200, 201)
    for activity in a.install(bot.service_url):  # installed by User One
        await bot.send(activity)
    assert NOT_PERMITTED in await _open_setup(bot, OTHER)
    assert NOT_PERMITTED not in await _open_setup(bot, a.USER)
    assert bot.store is not None
    assert await EngagementRepository(bot.store).audit_trail(ENGAGEMENT.id) == []


async def test_without_an_installation_event_the_first_to_open_setup_runs_it(
    bot: BotHarness, connector: FakeConnector
) -> None:
    status, _ = await bot.send(a.message(bot.service_url, "status", sender=OTHER))
    assert status in (200, 201)
    assert NOT_PERMITTED not in await _open_setup(bot, a.USER)
    assert NOT_PERMITTED in await _open_setup(bot, OTHER)
    assert bot.store is not None
    trail = await EngagementRepository(bot.store).audit_trail(ENGAGEMENT.id)
    assert [(e.change.value, e.actor.id, e.after) for e in trail] == [
        ("role", "29:user1", "aad-user1")
    ]
