"""Tests for the checklist catalog data (domain/catalog.json) and its loader."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dialogs.commands import COMMANDS
from domain.catalog import (
    DEFAULT_PATH,
    SERVICES,
    TASK_ID_PATTERN,
    Catalog,
    LocalizedText,
    default_catalog,
    load_catalog,
)
from domain.i18n import STRINGS
from tests.seed_terms import FORBIDDEN_KO, SEED

# Ids are persisted in user progress; renaming one silently orphans saved state.
EXPECTED_TASK_IDS = (
    "general.custom-enhancements",
    "general.program-management",
    "general.end-user-readiness",
    "general.helpdesk-readiness",
    "general.reports-and-minutes",
    "general.architecture-docs",
    "general.hardware-and-networking",
    "general.software-setup",
    "general.policy-management",
    "general.user-account-enrollment",
    "general.network-validation",
    "general.change-approval",
    "general.operations-model",
    "general.on-premises-mfa",
    "general.retire-legacy-services",
    "general.test-environment",
    "general.server-updates",
    "general.public-ssl-certificates",
    "general.terms-of-use",
    "initiate.start-onboarding",
    "initiate.readiness-meeting",
    "assess.identify-stakeholders",
    "assess.share-screen-for-tools",
    "assess.remediation-checklist",
    "assess.user-provisioning-review",
    "assess.service-configuration-plan",
    "assess.migration-support-plan",
    "remediate.complete-remediation",
    "remediate.checkpoint-meeting",
    "enable.share-screen-for-changes",
    "enable.manage-resources",
    "enable.configure-network",
    "enable.directory-sync",
    "enable.security-infrastructure",
    "enable.client-infrastructure",
    "enable.user-provisioning",
    "enable.turn-on-services",
)
# Only the seed's "(선택 사항)" line: a team that needs no guidance in Enable marks that
# screen share not applicable, with a reason.
EXPECTED_OPTIONAL = {"assess.share-screen-for-tools"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def raw() -> dict[str, Any]:
    # A fresh, mutable copy of the shipped file for each test to break.
    data: dict[str, Any] = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- shape and counts ------------------------------------------------------------------


def test_counts(catalog: Catalog) -> None:
    assert len(catalog.tasks) == 37
    assert len(catalog.tasks_of("general")) == 19
    assert [(p.id, len(catalog.tasks_of(p.id))) for p in catalog.phases] == [
        ("initiate", 2),
        ("assess", 6),
        ("remediate", 2),
        ("enable", 8),
    ]


def test_tracks_in_order(catalog: Catalog) -> None:
    assert [t.id for t in catalog.tracks] == [
        "general",
        "initiate",
        "assess",
        "remediate",
        "enable",
    ]
    assert catalog.general.id == "general"
    assert catalog.general.kind == "track"
    assert catalog.general.checkpoint is None
    assert all(p.kind == "phase" for p in catalog.phases)


def test_every_track_has_goal_and_every_phase_a_checkpoint(catalog: Catalog) -> None:
    for track in catalog.tracks:
        _assert_bilingual(track.name)
        _assert_bilingual(track.goal)
    for phase in catalog.phases:
        assert phase.checkpoint is not None
        _assert_bilingual(phase.checkpoint)


def test_task_ids_are_stable(catalog: Catalog) -> None:
    assert tuple(t.id for t in catalog.tasks) == EXPECTED_TASK_IDS


def test_task_ids_unique_and_well_formed(catalog: Catalog) -> None:
    ids = [t.id for t in catalog.tasks]
    assert len(ids) == len(set(ids))
    for task in catalog.tasks:
        assert TASK_ID_PATTERN.fullmatch(task.id), task.id
        assert task.id.isascii()
        assert len(task.id) <= 48
        assert task.id.split(".")[0] == task.track_id


def test_order_is_one_to_n_within_each_track(catalog: Catalog) -> None:
    for track in catalog.tracks:
        tasks = catalog.tasks_of(track.id)
        assert [t.order for t in tasks] == list(range(1, len(tasks) + 1))


def test_only_the_assess_screen_share_is_optional(catalog: Catalog) -> None:
    assert {t.id for t in catalog.tasks if t.optional} == EXPECTED_OPTIONAL
    assert {t for t, line in SEED.items() if line.text.startswith("(선택 사항)")} == (
        EXPECTED_OPTIONAL
    )

    def required(track_id: str) -> list[str]:
        return [t.id for t in catalog.tasks_of(track_id) if not t.optional]

    assert len(required("assess")) == 5
    assert len(required("enable")) == 8
    assert required("general") == [t.id for t in catalog.tasks_of("general")]


def test_general_responsibilities_are_standing_duties_and_phase_tasks_are_not(
    catalog: Catalog,
) -> None:
    assert all(t.duty for t in catalog.tasks_of("general"))
    assert not any(t.duty for p in catalog.phases for t in catalog.tasks_of(p.id))


def test_tasks_name_the_services_they_concern(catalog: Catalog) -> None:
    tagged = {t.id: t.services for t in catalog.tasks if t.services}
    assert tagged == {
        "general.user-account-enrollment": {"aad_premium"},
        "general.on-premises-mfa": {"aad_premium"},
        "general.terms-of-use": {"intune"},
    }
    assert all(t.services <= set(SERVICES) for t in catalog.tasks)


def test_every_phase_says_what_microsoft_does(catalog: Catalog) -> None:
    assert catalog.general.microsoft == ()
    for phase in catalog.phases:
        assert phase.microsoft, phase.id
        for item in phase.microsoft:
            _assert_bilingual(item)
    initiate = " ".join(item.en for item in catalog.track("initiate").microsoft)
    assert "30 days" in initiate and "kickoff" in initiate
    enable = " ".join(item.ko for item in catalog.track("enable").microsoft)
    for term in ("DNS", "방화벽", "디렉터리 동기화", "페더레이션", "SSO"):
        assert term in enable, term


# --- fidelity to the seed ------------------------------------------------------------


def test_every_seed_line_is_a_task_in_order(catalog: Catalog) -> None:
    assert tuple(SEED) == EXPECTED_TASK_IDS == tuple(t.id for t in catalog.tasks)


@pytest.mark.parametrize("task_id", EXPECTED_TASK_IDS)
def test_task_keeps_the_seeds_key_terms(catalog: Catalog, task_id: str) -> None:
    """A paraphrase that drops a term of the seed's line (e.g. "administration") fails."""
    task, line = catalog.task(task_id), SEED[task_id]
    english = f"{task.title.en} {task.description.en}".casefold()
    korean = f"{task.title.ko} {task.description.ko}"
    assert [term for term in line.en if term.casefold() not in english] == [], line.text
    assert [term for term in line.ko if term not in korean] == [], line.text


def test_scope_sentences_keep_their_limits(catalog: Catalog) -> None:
    """The general responsibilities that bound FastTrack's scope say exactly what the seed
    says, neither wider nor narrower."""
    enhancements = catalog.task("general.custom-enhancements").description
    assert "enumerated" in enhancements.en and "documented" not in enhancements.en
    policies = catalog.task("general.policy-management").description
    assert "baseline configuration and functionality" in policies.en
    assert "기준 구성과 기능" in policies.ko
    accounts = catalog.task("general.user-account-enrollment").description
    assert "few" not in accounts.en.split()
    assert "length of the project" not in catalog.task("general.test-environment").description.en
    assert "Design" in catalog.task("general.hardware-and-networking").description.en


def test_meetings_are_attended_as_the_seed_says(catalog: Catalog) -> None:
    readiness = catalog.task("initiate.readiness-meeting").title
    assert readiness.en.startswith("Attend") and "Hold" not in readiness.en
    assert readiness.ko.endswith("참석") and "진행" not in readiness.ko
    checkpoints = catalog.task("remediate.checkpoint-meeting")
    assert "meetings" in checkpoints.title.en  # recurring, not one meeting
    remediate = catalog.track("remediate").checkpoint
    assert remediate is not None
    assert "checkpoint calls" in remediate.en and "verify" in remediate.en


def _korean_texts(catalog: Catalog) -> list[str]:
    texts = [t.ko for track in catalog.tracks for t in (track.name, track.goal)]
    texts += [p.checkpoint.ko for p in catalog.phases if p.checkpoint]
    texts += [item.ko for p in catalog.phases for item in p.microsoft]
    texts += [t.ko for task in catalog.tasks for t in (task.title, task.description)]
    texts += [versions["ko"] for versions in STRINGS.values()]
    texts += [spec.description["ko"] for spec in COMMANDS]
    return texts


def test_korean_uses_one_term_per_concept(catalog: Catalog) -> None:
    """The glossary in tests/seed_terms.py: meeting 회의, checkpoint 체크포인트, engagement
    프로젝트, remediation 보완; no word that changes the seed's meaning; and particles are
    chosen, never written both ways (except where a placeholder decides, in i18n strings)."""
    found = {
        (word, text)
        for text in _korean_texts(catalog)
        for word in FORBIDDEN_KO
        if word in text and not (word.startswith(("(", "이(", "을(", "은(")) and "}" + word in text)
    }
    assert found == set()


def test_korean_descriptions_use_the_formal_polite_style(catalog: Catalog) -> None:
    """합니다 style throughout: every task and phase text ends in a formal polite verb."""
    endings = ("니다.", "니다).")
    for task in catalog.tasks:
        assert task.description.ko.endswith(endings), task.id
    for phase in catalog.phases:
        assert all(item.ko.endswith("니다.") for item in phase.microsoft), phase.id
        assert phase.goal.ko.endswith("니다."), phase.id


# --- texts ---------------------------------------------------------------------------


def _assert_bilingual(text: LocalizedText) -> None:
    assert text.en.strip() and text.ko.strip()
    assert text.en != text.ko
    assert HANGUL.search(text.ko), text.ko
    assert not HANGUL.search(text.en), text.en


def test_task_texts_are_bilingual_and_distinct(catalog: Catalog) -> None:
    for task in catalog.tasks:
        _assert_bilingual(task.title)
        _assert_bilingual(task.description)
        assert task.title.en != task.description.en
        assert task.title.ko != task.description.ko


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_titles_and_descriptions_unique_across_tasks(catalog: Catalog, lang: str) -> None:
    titles = [getattr(t.title, lang) for t in catalog.tasks]
    descriptions = [getattr(t.description, lang) for t in catalog.tasks]
    assert len(set(titles)) == len(titles)
    assert len(set(descriptions)) == len(descriptions)


def test_text_lengths_and_single_sentence(catalog: Catalog) -> None:
    for task in catalog.tasks:
        for title in (task.title.en, task.title.ko):
            assert len(title) <= 60, title
        for description in (task.description.en, task.description.ko):
            assert len(description) <= 200, description
            assert description.endswith("."), description
            # One sentence: no sentence break before the final full stop.
            assert not re.search(r"[.!?]\s", description), description


def test_localized_text_in() -> None:
    text = LocalizedText(en="Hello", ko="안녕하세요")
    assert text.in_("en") == "Hello"
    assert text.in_("ko") == "안녕하세요"


# --- lookups -------------------------------------------------------------------------


def test_task_lookup(catalog: Catalog) -> None:
    task = catalog.task("enable.directory-sync")
    assert task.track_id == "enable"
    assert catalog.has_task("enable.directory-sync")
    assert not catalog.has_task("enable.nope")
    with pytest.raises(KeyError):
        catalog.task("enable.nope")


def test_track_lookup(catalog: Catalog) -> None:
    assert catalog.track("assess").name.ko == "평가"
    with pytest.raises(KeyError):
        catalog.track("deploy")
    with pytest.raises(KeyError):
        catalog.tasks_of("deploy")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("assess", "assess"),
        ("평가", "assess"),
        ("착수", "initiate"),
        ("시작", "initiate"),  # the seed's name for the phase
        ("보완", "remediate"),
        ("수정", "remediate"),  # the seed's name for the phase
        ("활성화", "enable"),
        ("일반", "general"),
        ("일반 책임", "general"),
        ("General responsibilities", "general"),
        ("  ENABLE  ", "enable"),
        ("Remediate\n", "remediate"),
        ("\t활성화 ", "enable"),
    ],
)
def test_find_track(catalog: Catalog, query: str, expected: str) -> None:
    found = catalog.find_track(query)
    assert found is not None
    assert found.id == expected


@pytest.mark.parametrize("query", ["", "   ", "deploy", "enable phase"])
def test_find_track_unknown(catalog: Catalog, query: str) -> None:
    assert catalog.find_track(query) is None


def test_default_catalog_is_cached() -> None:
    assert default_catalog() is default_catalog()
    assert len(default_catalog().tasks) == 37


# --- loader errors -------------------------------------------------------------------


def test_loader_accepts_an_unchanged_copy(tmp_path: Path, raw: dict[str, Any]) -> None:
    assert len(load_catalog(_write(tmp_path, raw)).tasks) == 37


def test_loader_rejects_missing_ko_in_task(tmp_path: Path, raw: dict[str, Any]) -> None:
    del raw["tasks"][3]["title"]["ko"]
    with pytest.raises(ValueError, match=r"missing language.*ko"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_missing_ko_in_track(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tracks"][2]["checkpoint"]["ko"] = ""
    with pytest.raises(ValueError, match=r"missing language.*ko"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_duplicate_task_id(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tasks"][1]["id"] = raw["tasks"][0]["id"]
    with pytest.raises(ValueError, match="duplicate task id"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_duplicate_track_id(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tracks"].append(copy.deepcopy(raw["tracks"][1]))
    with pytest.raises(ValueError, match="duplicate track id"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_unknown_track(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tasks"][-1]["track"] = "deploy"
    raw["tasks"][-1]["id"] = "deploy.turn-on-services"
    with pytest.raises(ValueError, match="unknown track 'deploy'"):
        load_catalog(_write(tmp_path, raw))


@pytest.mark.parametrize(
    "bad_id",
    ["General.program", "general", "general.Program", "general.has space", "g." + "x" * 60],
)
def test_loader_rejects_bad_task_id(tmp_path: Path, raw: dict[str, Any], bad_id: str) -> None:
    raw["tasks"][0]["id"] = bad_id
    with pytest.raises(ValueError, match="bad task id"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_ambiguous_alias(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tracks"][1]["aliases"].append("평가")
    with pytest.raises(ValueError, match="duplicate track name or alias"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_an_unknown_service(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tasks"][0]["services"] = ["office"]
    with pytest.raises(ValueError, match="services: each must be one of"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_a_phase_without_microsofts_part(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    raw["tracks"][2]["microsoft"] = []
    with pytest.raises(ValueError, match="microsoft: must list at least one item"):
        load_catalog(_write(tmp_path, raw))
    raw["tracks"][2]["microsoft"] = [{"en": "Runs the tools."}]
    with pytest.raises(ValueError, match=r"microsoft\[0\]: missing language.*ko"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_a_second_track_of_duties(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["tracks"][1]["kind"] = "track"
    with pytest.raises(ValueError, match="only the 'general' track may be a non-phase track"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="invalid JSON"):
        load_catalog(path)


def test_loader_rejects_a_meeting_of_another_phases_task(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    raw["tracks"][2]["meetings"][0]["task"] = "initiate.readiness-meeting"  # Assess's meeting
    with pytest.raises(ValueError, match="meeting 'remediation-plan' names no task of it"):
        load_catalog(_write(tmp_path, raw))


@pytest.mark.parametrize("meeting_id", ["other", "Bad Id", ""])
def test_loader_rejects_a_bad_meeting_id(
    tmp_path: Path, raw: dict[str, Any], meeting_id: str
) -> None:
    raw["tracks"][1]["meetings"][0]["id"] = meeting_id
    with pytest.raises(ValueError, match="meeting"):
        load_catalog(_write(tmp_path, raw))


def test_loader_rejects_a_meeting_without_korean(tmp_path: Path, raw: dict[str, Any]) -> None:
    del raw["tracks"][3]["meetings"][0]["title"]["ko"]
    with pytest.raises(ValueError, match=r"meetings\[0\].title: missing language.*ko"):
        load_catalog(_write(tmp_path, raw))
