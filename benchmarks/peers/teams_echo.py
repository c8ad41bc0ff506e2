"""A stock echo bot on the Teams SDK for Python (microsoft-teams-apps), a floor for
`make bench` (issue 22 item 0). Run by benchmarks/peer_bots.py with .venv-peers' Python:
`teams_echo.py PORT CARDS_JSON`.

A message is answered with the message card (posted to the service URL, as the SDK posts
replies), an Action.Execute invoke with the invoke card in the invoke response. JWT
validation is off (`dangerously_allow_unauthenticated_requests`) for the benchmark's
loopback traffic; the app serves on its default HTTP adapter (FastAPI on uvicorn).
"""

import asyncio
import json
import sys

from microsoft_teams.api import (
    AdaptiveCardActionCardResponse,
    Attachment,
    MessageActivityInput,
)
from microsoft_teams.apps import App

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def main() -> None:
    port, cards_path = int(sys.argv[1]), sys.argv[2]
    with open(cards_path, encoding="utf-8") as cards_file:
        cards = json.load(cards_file)
    app = App(dangerously_allow_unauthenticated_requests=True)

    @app.on_message
    async def on_message(ctx):
        reply = MessageActivityInput().add_attachments(
            Attachment(content_type=CARD_TYPE, content=cards["message"])
        )
        await ctx.send(reply)

    @app.on_card_action_execute
    async def on_execute(ctx):
        # The card as JSON, unvalidated: the SDK's card model would refuse Teams' own
        # `"width": "Full"` (it knows only "full").
        return AdaptiveCardActionCardResponse.model_construct(value=cards["invoke"])

    asyncio.run(app.start(port))


if __name__ == "__main__":
    main()
