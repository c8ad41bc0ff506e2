"""The benchmark's own-tasks section (benchmarks/own_tasks.py, rows_own_tasks.py): the
checklist it pastes is read whole, and its rows judge the 300-task click and `status` against
the 37-task ones by the 1.5× target, on both backends, saying which was not measured."""

from __future__ import annotations

from benchmarks.big_engagement import OWN, checklist
from benchmarks.own_tasks import ClickFigures, OwnTasksRun
from benchmarks.results import Results, Sizes
from benchmarks.rows import build_rows
from benchmarks.rows_own_tasks import own_tasks_rows, section_name
from domain.own_tasks import MAX_CHECKLIST_CHARS, parse_checklist
from domain.profile import Person


def test_the_pasted_checklist_is_263_readable_lines_with_owner_and_date() -> None:
    text = checklist(OWN)
    assert OWN == 263 and len(text) <= MAX_CHECKLIST_CHARS
    read = parse_checklist(text, [Person("aad-user1", "User One")])
    assert not read.errors and len(read.items) == OWN
    assert all(i.owner and i.due and i.description for i in read.items)


def _run(large_bytes: float, large_ms: float, status_ms: float = 4.0) -> OwnTasksRun:
    small = ClickFigures(37, 200, 6_900.0, 1.0, 0.2, 100, 4.0, 0.3, 50, 5.0, 0.4)
    large = ClickFigures(300, 200, large_bytes, large_ms, 1.5, 100, status_ms, 0.5, 50, 9.0, 1.2)
    return OwnTasksRun("embedded", small, large, 0)


def test_the_rows_hold_the_click_to_one_and_a_half_times_the_37_task_click() -> None:
    results = Results(Sizes())
    results.own_tasks["embedded"] = _run(121_500.0, 8.1, status_ms=6.4)
    results.errors[section_name("cosmos")] = "RuntimeError: no server"
    rows = own_tasks_rows(results)
    assert [r.result for r in rows[:3]] == ["FAIL", "FAIL", "FAIL"]
    assert "×17.61" in rows[0].value and "×8.10" in rows[1].value and "×1.60" in rows[2].value
    assert "`status`" in rows[2].measure
    assert "×1.80" in rows[3].value and "another instance" in rows[3].measure
    assert "not measured (RuntimeError: no server)" in rows[4].value
    results.own_tasks["embedded"] = _run(10_000.0, 1.4, status_ms=5.9)
    assert [r.result for r in own_tasks_rows(results)[:3]] == ["PASS", "PASS", "PASS"]
    assert any("300 vs 37 tasks" in r.measure for r in build_rows(results))
