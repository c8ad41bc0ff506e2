"""Fixtures of the end-to-end suite: a fresh stack (bot, Agents Playground, headless Chromium)
per test module. Each step's screenshot goes to test-artifacts/e2e/; a failed test adds a
screenshot of the whole page and the tail of every process log to its report."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.stack import ARTIFACTS, Stack, missing_prerequisites


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_artifacts() -> Any:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="module")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, e2e_artifacts: Any
) -> Iterator[Stack]:
    missing = missing_prerequisites()
    if missing:
        message = "end-to-end prerequisites missing: " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = request.module.__name__.rsplit(".", 1)[-1]
    store_env = None
    if getattr(request.module, "BACKEND", "embedded") == "cosmos":
        server = request.getfixturevalue("cosmos_server")
        server.start()
        store_env = {
            "COSMOS_ENDPOINT": server.endpoint,
            "COSMOS_KEY": server.key,
            "COSMOS_DATABASE": f"e2e-{uuid.uuid4().hex[:12]}",
        }
    running = Stack(tmp_path_factory.mktemp(name), name, store_env).start()
    yield running
    running.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    running = getattr(item, "funcargs", {}).get("stack")
    if not isinstance(running, Stack):
        return
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name)
    try:
        shot = running.page.screenshot(f"FAILED-{name}.png", full_page=True)
        report.sections.append(("e2e screenshot", str(shot)))
    except Exception as error:
        report.sections.append(("e2e screenshot", f"none: {error}"))
    report.sections.append(("e2e logs", running.logs_tail()))
