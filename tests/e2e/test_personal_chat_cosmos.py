"""The personal-chat journey again, with the bot on Cosmos DB (the local protocol server):
installation, status, Done in place, and the task still done after the bot restarts."""

from tests.e2e.test_personal_chat import *  # noqa: F403 - the same tests, collected here again

BACKEND = "cosmos"
