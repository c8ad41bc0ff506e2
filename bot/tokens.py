"""Azure AD tokens for the bot's outbound calls, without blocking the event loop.

`OffLoopAppCredentials`: the token is fetched by the SDK's own credentials (MSAL) in a worker
thread with a deadline, and reused until shortly before it expires, instead of MSAL's
blocking call on the event loop for every request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
from botframework.connector.auth import AppCredentials
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy

log = logging.getLogger("bot.tokens")
TOKEN_FETCH_TIMEOUT_S = 10.0
# A token is renewed this long before it expires (MSAL's own margin is 5 minutes).
TOKEN_RENEW_MARGIN_S = 300.0
# Lifetime assumed for a token whose expiry cannot be read.
UNKNOWN_TOKEN_LIFETIME_S = 600.0
# MSAL's HTTP has no timeout of its own: its calls get their own threads, so a hung call
# holds one of these, never the loop nor the default executor.
_token_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="aad-token")


def _expiry(token: str) -> float:
    """Wall-clock expiry of an Azure AD access token (a JWT); opaque tokens get a default."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        exp = None
    return float(exp) if isinstance(exp, int | float) else time.time() + UNKNOWN_TOKEN_LIFETIME_S


class AccessTokens:
    """The SDK credentials' token, fetched in a worker thread, shared until near expiry."""

    def __init__(self, credentials: AppCredentials) -> None:
        self._credentials = credentials
        self._token = ""
        self._expires_at = 0.0
        self._fetch: asyncio.Future[str] | None = None

    async def get(self) -> str:
        now = time.time()
        if now < self._expires_at - TOKEN_RENEW_MARGIN_S:
            return self._token
        fetch = self._start_fetch()
        if now < self._expires_at:  # still valid: renew in the background
            return self._token
        async with asyncio.timeout(TOKEN_FETCH_TIMEOUT_S):
            return await asyncio.shield(fetch)

    def _start_fetch(self) -> asyncio.Future[str]:
        if self._fetch is None:
            loop = asyncio.get_running_loop()
            self._fetch = loop.run_in_executor(_token_threads, self._credentials.get_access_token)
            self._fetch.add_done_callback(self._fetched)
        return self._fetch

    def _fetched(self, fetch: asyncio.Future[str]) -> None:
        self._fetch = None
        if fetch.cancelled() or fetch.exception() is not None:
            log.warning("cannot get an Azure AD token: %s", type(fetch.exception()).__name__)
            return
        self._token = fetch.result()
        self._expires_at = _expiry(self._token)


class OffLoopAppCredentials(AsyncHTTPPolicy[Any, Any]):
    """An msrest pipeline policy in place of the SDK's credentials policy, which calls
    `signed_session` (MSAL's blocking token request) on the event loop for every call."""

    def __init__(self, credentials: AppCredentials) -> None:
        super().__init__()
        self.credentials = credentials
        self._tokens = AccessTokens(credentials)

    async def token(self) -> str:
        return await self._tokens.get()

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        token = await self._tokens.get()
        request.http_request.headers["Authorization"] = f"Bearer {token}"
        if self.next is None:  # msrest links every policy to the next before sending
            raise RuntimeError("the credentials policy is the pipeline's last")
        response: Response[Any, Any] = await self.next.send(request, **kwargs)
        return response
