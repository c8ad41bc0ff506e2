"""A stock echo bot on the Microsoft 365 Agents SDK for Python (microsoft-agents-hosting-aiohttp),
a floor for `make bench` (issue 22 item 0). Run by benchmarks/peer_bots.py with .venv-peers'
Python: `agents_echo.py PORT CARDS_JSON`.

A message is answered with the message card (posted to the service URL, as the SDK posts
replies), an `adaptiveCard/action` invoke with the invoke card in the invoke response. No JWT
middleware and no app registration: the SDK then takes every request as anonymous and
replies without a token, as the benchmark's loopback traffic needs.
"""

import json
import sys

from aiohttp import web
from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ActivityHandler, CardFactory, MessageFactory
from microsoft_agents.hosting.core.authorization import Connections

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


class NoConnections(Connections):
    """No app registration: the SDK asks for no token for an anonymous request's reply."""

    def get_connection(self, connection_name):
        raise LookupError(connection_name)

    def get_default_connection(self):
        raise LookupError("no connections")

    def get_token_provider(self, claims_identity, service_url):
        raise LookupError("no connections")

    def get_token_provider_from_activity(self, *args, **kwargs):
        raise LookupError("no connections")

    def get_default_connection_configuration(self):
        raise LookupError("no connections")


class EchoBot(ActivityHandler):
    def __init__(self, message_card: dict, invoke_card: dict) -> None:
        self.message_card, self.invoke_card = message_card, invoke_card

    async def on_message_activity(self, turn_context):
        card = CardFactory.adaptive_card(self.message_card)
        await turn_context.send_activity(MessageFactory.attachment(card))

    async def on_adaptive_card_invoke(self, turn_context, invoke_value):
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=self.invoke_card)


def main() -> None:
    port, cards_path = int(sys.argv[1]), sys.argv[2]
    with open(cards_path, encoding="utf-8") as cards_file:
        cards = json.load(cards_file)
    adapter = CloudAdapter(connection_manager=NoConnections())
    bot = EchoBot(cards["message"], cards["invoke"])

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
