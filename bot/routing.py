"""Handlers registered by name: card verbs and text commands are looked up, never if-chained."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

H = TypeVar("H", bound=Callable[..., object])


class Router(Generic[H]):
    def __init__(self) -> None:
        self._handlers: dict[str, H] = {}

    def register(self, name: str) -> Callable[[H], H]:
        def decorate(handler: H) -> H:
            if name in self._handlers:
                raise ValueError(f"{name!r} is registered twice")
            self._handlers[name] = handler
            return handler

        return decorate

    def get(self, name: str) -> H | None:
        return self._handlers.get(name)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._handlers)
