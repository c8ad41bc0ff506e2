"""Fixtures for token validation: the OpenID/JWKS stand-in (testkit/openid.py) for the session,
and a guard that keeps a test's network traffic on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from testkit import OpenIdService, serve_openid


@pytest.fixture(scope="session")
def openid() -> Iterator[OpenIdService]:
    with serve_openid() as service:
        yield service


_LOOPBACK = {None, "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1", b"::1"}


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails the test if anything (MSAL, a key fetch, a reply) tries to leave the machine:
    name lookups and connections to anything but loopback are refused and recorded."""
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _LOOPBACK:
            attempts.append(f"resolve {host!r}")
            raise socket.gaierror(f"network guard: {host!r} is not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOOPBACK:
            attempts.append(f"connect {address!r}")
            raise ConnectionRefusedError(f"network guard: {address!r} is not loopback")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempts
    assert attempts == [], f"tried to reach beyond loopback: {attempts}"
