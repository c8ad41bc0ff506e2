"""Tests for the Teams app package: manifest template, Korean localization, icons, zip.

The manifest and ko.json are validated against the official JSON schemas that the npm
package @microsoft/app-manifest (pinned in package.json) ships in node_modules.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PIL import Image

from dialogs.commands import COMMANDS, LISTED_COMMANDS, parse_command

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_DIR = ROOT / "manifest"
SCRIPT = ROOT / "scripts" / "package_manifest.py"
SCHEMA_ROOT = ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas"
SCHEMA_ROOT = SCHEMA_ROOT / "teams"

SAMPLE = {
    "MICROSOFT_APP_ID": "8d3f1c52-6b0e-4a7d-9f21-3c5e7b9a0d14",
    "APP_VERSION": "1.4.2",
    "BOT_DOMAIN": "ems-onboarding.contoso.com",
    "DEVELOPER_NAME": "Contoso IT",
    "DEVELOPER_URL": "https://contoso.com/fasttrack",
    "PRIVACY_URL": "https://contoso.com/privacy",
    "TERMS_URL": "https://contoso.com/terms",
}
PACKAGE_FILES = ["manifest.json", "color.png", "outline.png", "ko.json"]
BOT_SCOPES = {"personal", "team", "groupChat"}
COMMAND_KEY = re.compile(r"^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(\w+)$")


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pm = _load_script("package_manifest")
icons = _load_script("make_icons")


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schemas_present() -> None:
    if not SCHEMA_ROOT.is_dir():
        pytest.fail(
            f"The Teams manifest schemas are missing ({SCHEMA_ROOT.relative_to(ROOT)}). "
            "Run `npm ci` in the repository root to install @microsoft/app-manifest.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MANIFEST_DIR / "manifest.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    rendered: dict[str, Any] = pm.render_manifest(SAMPLE)
    return rendered


@pytest.fixture(scope="module")
def ko() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MANIFEST_DIR / "ko.json").read_text("utf-8"))
    return data


def _errors(instance: Any, file: str) -> list[str]:
    version = instance.get("manifestVersion") or pm.load_json(pm.TEMPLATE)["manifestVersion"]
    errors: list[str] = pm.validation_errors(instance, version, file)
    return errors


# --- schema version and validation ------------------------------------------------------


def test_manifest_uses_the_newest_schema_the_package_ships(
    schemas_present: None, template: dict[str, Any], ko: dict[str, Any]
) -> None:
    versions = [
        tuple(int(n) for n in d.name[1:].split("."))
        for d in SCHEMA_ROOT.iterdir()
        if re.fullmatch(r"v\d+\.\d+", d.name)
    ]
    newest = ".".join(map(str, max(versions)))
    assert template["manifestVersion"] == newest == pm.newest_schema_version()

    schema = json.loads((SCHEMA_ROOT / f"v{newest}" / "MicrosoftTeams.schema.json").read_text())
    declared = schema["properties"]["manifestVersion"]
    assert newest in declared.get("enum", [declared.get("const")])
    assert template["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{newest}/MicrosoftTeams.schema.json"
    )
    assert ko["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{newest}/"
        "MicrosoftTeams.Localization.schema.json"
    )


def test_rendered_manifest_matches_the_official_schema(
    schemas_present: None, manifest: dict[str, Any]
) -> None:
    assert _errors(manifest, pm.MANIFEST_SCHEMA) == []


def test_the_committed_template_is_not_a_manifest_until_rendered(
    schemas_present: None, template: dict[str, Any]
) -> None:
    errors = _errors(template, pm.MANIFEST_SCHEMA)
    assert any(e.startswith("id:") for e in errors)
    assert any(e.startswith("bots/0/botId:") for e in errors)


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        # `const` is not a draft-04 keyword; the validator must still enforce it.
        (("manifestVersion",), "1.29", "manifestVersion:"),
        (("id",), "not-a-guid", "id:"),
        (("description", "short"), "x" * 81, "description/short:"),
        (("developer", "privacyUrl"), "ftp://contoso.com", "developer/privacyUrl:"),
        (("accentColor",), "blue", "accentColor:"),
    ],
)
def test_the_validator_rejects_broken_manifests(
    schemas_present: None,
    manifest: dict[str, Any],
    path: tuple[str, ...],
    value: str,
    complaint: str,
) -> None:
    broken = copy.deepcopy(manifest)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    errors = pm.validation_errors(broken, manifest["manifestVersion"], pm.MANIFEST_SCHEMA)
    assert any(e.startswith(complaint) for e in errors), errors


def test_missing_schemas_ask_for_npm_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pm, "SCHEMA_ROOT", tmp_path / "missing")
    with pytest.raises(pm.PackageError, match="npm ci"):
        pm.newest_schema_version()
    with pytest.raises(pm.PackageError, match="npm ci"):
        pm.schema_dir("1.30")


# --- manifest content -------------------------------------------------------------------


def test_template_placeholders(template: dict[str, Any]) -> None:
    assert pm.placeholders(template) == set(SAMPLE)
    assert template["id"] == "{{MICROSOFT_APP_ID}}"
    assert template["bots"][0]["botId"] == "{{MICROSOFT_APP_ID}}"
    assert template["version"] == "{{APP_VERSION}}"
    assert template["validDomains"] == ["{{BOT_DOMAIN}}"]
    assert template["developer"] == {
        "name": "{{DEVELOPER_NAME}}",
        "websiteUrl": "{{DEVELOPER_URL}}",
        "privacyUrl": "{{PRIVACY_URL}}",
        "termsOfUseUrl": "{{TERMS_URL}}",
    }


def test_rendering_fills_every_placeholder(manifest: dict[str, Any]) -> None:
    assert "{{" not in json.dumps(manifest)
    assert manifest["id"] == manifest["bots"][0]["botId"] == SAMPLE["MICROSOFT_APP_ID"]
    assert manifest["version"] == SAMPLE["APP_VERSION"]
    assert manifest["validDomains"] == [SAMPLE["BOT_DOMAIN"]]
    assert manifest["developer"]["termsOfUseUrl"] == SAMPLE["TERMS_URL"]


def test_rendering_without_a_value_fails() -> None:
    values = {k: v for k, v in SAMPLE.items() if k != "BOT_DOMAIN"}
    with pytest.raises(pm.PackageError, match="BOT_DOMAIN"):
        pm.render_manifest(values)


def test_manifest_describes_the_product(manifest: dict[str, Any]) -> None:
    assert manifest["name"]["short"] == "FastTrack EMS Onboarding"
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    full = manifest["description"]["full"]
    for words in ("Azure AD Premium", "Intune", "Rights Management", "Initiate", "Enable"):
        assert words in full
    assert manifest["accentColor"] == icons.ACCENT_HEX
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "en-us",
        "additionalLanguages": [{"languageTag": "ko-kr", "file": "ko.json"}],
    }
    assert "permissions" not in manifest
    assert "webApplicationInfo" not in manifest


def test_bot_entry(manifest: dict[str, Any]) -> None:
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == BOT_SCOPES
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False


# --- commands ---------------------------------------------------------------------------


def test_one_command_list_per_scope(manifest: dict[str, Any]) -> None:
    lists = manifest["bots"][0]["commandLists"]
    scopes = [scope for command_list in lists for scope in command_list["scopes"]]
    assert sorted(scopes) == sorted(BOT_SCOPES)


def test_every_listed_command_is_one_the_bot_understands(manifest: dict[str, Any]) -> None:
    by_title = {spec.title["en"]: spec for spec in COMMANDS}
    for command_list in manifest["bots"][0]["commandLists"]:
        for command in command_list["commands"]:
            spec = by_title.get(command["title"])
            assert spec is not None, f"{command['title']!r} is not a title in COMMANDS"
            parsed = parse_command(command["title"])
            assert parsed is not None and parsed.name == spec.name, command
            assert command["description"] == spec.description["en"]


def test_every_listed_bot_command_is_in_every_scope(manifest: dict[str, Any]) -> None:
    for command_list in manifest["bots"][0]["commandLists"]:
        listed = [parse_command(c["title"]) for c in command_list["commands"]]
        assert [c.name for c in listed if c] == [spec.name for spec in LISTED_COMMANDS], (
            command_list["scopes"]
        )


def test_committed_files_match_the_command_registry(
    template: dict[str, Any], ko: dict[str, Any]
) -> None:
    hint = "run: python scripts/package_manifest.py --sync"
    assert template["bots"][0]["commandLists"] == pm.command_lists(), hint
    assert ko == pm.localization("ko.json"), hint


# --- Korean localization ----------------------------------------------------------------


def test_ko_matches_the_localization_schema(schemas_present: None, ko: dict[str, Any]) -> None:
    assert _errors(ko, pm.LOCALIZATION_SCHEMA) == []


def test_ko_is_korean(ko: dict[str, Any]) -> None:
    hangul = re.compile(r"[\uac00-\ud7a3]")
    for key in ("name.short", "name.full", "description.short", "description.full"):
        assert hangul.search(ko[key]), key
    assert len(ko["name.short"]) <= 30
    assert len(ko["description.short"]) <= 80


def test_ko_keys_reference_existing_commands(ko: dict[str, Any], manifest: dict[str, Any]) -> None:
    lists = manifest["bots"][0]["commandLists"]
    covered = set()
    for key in ko:
        match = COMMAND_KEY.match(key)
        if not match:
            assert key.startswith(("$schema", "name.", "description.")), key
            continue
        i, j, field = int(match[1]), int(match[2]), match[3]
        assert i < len(lists), key
        assert j < len(lists[i]["commands"]), key
        assert field in lists[i]["commands"][j], key
        covered.add((i, j, field))
    expected = {
        (i, j, field)
        for i, command_list in enumerate(lists)
        for j, command in enumerate(command_list["commands"])
        for field in ("title", "description")
        if field in command
    }
    assert covered == expected


def test_ko_command_titles_are_commands_the_bot_understands(
    ko: dict[str, Any], manifest: dict[str, Any]
) -> None:
    lists = manifest["bots"][0]["commandLists"]
    for key, title in ko.items():
        match = COMMAND_KEY.match(key)
        if not match or match[3] != "title":
            continue
        english = lists[int(match[1])]["commands"][int(match[2])]["title"]
        parsed, expected = parse_command(title), parse_command(english)
        assert parsed is not None and expected is not None, key
        assert parsed.name == expected.name, key


# --- icons ------------------------------------------------------------------------------


def decode_png(path: Path) -> tuple[int, int, list[list[tuple[int, int, int, int]]]]:
    """Width, height and RGBA rows of a PNG file, read by Pillow."""
    with Image.open(path) as image:
        assert image.format == "PNG", f"{path.name} is not a PNG"
        width, height = image.size
        pixels = list(image.convert("RGBA").get_flattened_data())
    return width, height, [pixels[y * width : (y + 1) * width] for y in range(height)]


@pytest.mark.parametrize(("file", "size"), [("color.png", 192), ("outline.png", 32)])
def test_icon_size(file: str, size: int) -> None:
    with Image.open(MANIFEST_DIR / file) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (size, size))


def test_outline_icon_is_white_on_transparent() -> None:
    width, height, rows = decode_png(MANIFEST_DIR / "outline.png")
    corners = [rows[0][0], rows[0][width - 1], rows[height - 1][0], rows[height - 1][width - 1]]
    assert all(alpha == 0 for *_, alpha in corners)
    pixels = [p for row in rows for p in row]
    assert all(p[:3] == (255, 255, 255) for p in pixels), "outline icon must be white only"
    opaque = sum(1 for p in pixels if p[3] == 255)
    assert 60 <= opaque <= width * height // 2, "the motif should be visible, not fill the icon"


def test_color_icon_is_the_accent_tile_with_a_white_motif() -> None:
    width, height, rows = decode_png(MANIFEST_DIR / "color.png")
    assert rows[0][0][3] == 0, "rounded corners are transparent"
    assert rows[height // 2][4][3] == 255, "the tile is opaque"
    pixels = [p for row in rows for p in row if p[3] == 255]
    white = sum(1 for p in pixels if min(p[:3]) >= 250)
    blue = sum(1 for p in pixels if p[2] > p[0] + 80)
    assert white > 0.04 * width * height
    assert blue > 0.5 * width * height
    partial = sum(1 for p in pixels if 0 < min(p[:3]) < 250 and max(p[:3]) > 200)
    assert partial > 100, "edges of the motif are anti-aliased"


def test_icons_are_up_to_date() -> None:
    hint = "run: python scripts/make_icons.py"
    for file, draw in (("color.png", icons.draw_color), ("outline.png", icons.draw_outline)):
        _, _, rows = decode_png(MANIFEST_DIR / file)
        assert rows == [list(row) for row in draw()], f"{file} is stale; {hint}"


def test_the_script_writes_what_it_draws(tmp_path: Path) -> None:
    color, outline = icons.write_icons(tmp_path)
    for path, draw in ((color, icons.draw_color), (outline, icons.draw_outline)):
        _, _, rows = decode_png(path)
        assert rows == [list(row) for row in draw()]


# --- the package ------------------------------------------------------------------------


def test_package_holds_exactly_the_four_files(schemas_present: None, tmp_path: Path) -> None:
    path = pm.build_package(SAMPLE, tmp_path)
    assert path == tmp_path / f"fasttrack-ems-onboarding-{SAMPLE['APP_VERSION']}.zip"
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted(PACKAGE_FILES)
        manifest = json.loads(zf.read("manifest.json"))
        ko = json.loads(zf.read("ko.json"))
        assert zf.read("color.png") == (MANIFEST_DIR / "color.png").read_bytes()
        assert zf.read("outline.png") == (MANIFEST_DIR / "outline.png").read_bytes()
    assert list(tmp_path.iterdir()) == [path]
    assert manifest == pm.render_manifest(SAMPLE)
    assert _errors(manifest, pm.MANIFEST_SCHEMA) == []
    assert _errors(ko, pm.LOCALIZATION_SCHEMA) == []


def test_package_refuses_a_manifest_that_breaks_the_schema(
    schemas_present: None, tmp_path: Path
) -> None:
    with pytest.raises(pm.PackageError, match="developer/websiteUrl"):
        pm.build_package({**SAMPLE, "DEVELOPER_URL": "contoso.com"}, tmp_path)
    assert list(tmp_path.iterdir()) == []


def _run_script(tmp_path: Path, env_file_text: str, **env: str) -> subprocess.CompletedProcess[str]:
    env_file = tmp_path / "test.env"
    env_file.write_text(env_file_text, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k not in pm.VARIABLES.values()}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--env-file", str(env_file), "--out", str(tmp_path / "out")],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


@pytest.mark.parametrize(
    ("env_file_text", "app_id"),
    [
        ("", None),
        ("", ""),
        ("", "not-a-guid"),
        ("", "{{MICROSOFT_APP_ID}}"),
        ("MicrosoftAppId=\n", None),
        ("MicrosoftAppId=8d3f1c52-6b0e-4a7d-9f21\n", None),
    ],
)
def test_package_script_fails_without_a_valid_app_id(
    tmp_path: Path, env_file_text: str, app_id: str | None
) -> None:
    env = {} if app_id is None else {"MicrosoftAppId": app_id}
    result = _run_script(tmp_path, env_file_text, **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: MicrosoftAppId"), lines[0]
    assert not (tmp_path / "out").exists()


def test_package_script_builds_from_the_env_file(schemas_present: None, tmp_path: Path) -> None:
    env_file = f"MicrosoftAppId={SAMPLE['MICROSOFT_APP_ID']}\nAPP_VERSION='2.3.4'\n"
    result = _run_script(tmp_path, env_file, BOT_DOMAIN="https://bot.contoso.com/api/messages")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "out" / "fasttrack-ems-onboarding-2.3.4.zip"
    assert result.stdout.strip() == str(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == sorted(PACKAGE_FILES)
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["id"] == SAMPLE["MICROSOFT_APP_ID"]
    assert manifest["version"] == "2.3.4"
    assert manifest["validDomains"] == ["bot.contoso.com"]
    assert manifest["developer"]["privacyUrl"] == "https://bot.contoso.com/privacy"


def test_environment_wins_over_env_file_and_defaults_apply(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nexport MicrosoftAppId=8d3f1c52-6b0e-4a7d-9f21-3c5e7b9a0d14\n"
        'DEVELOPER_NAME="Contoso IT"\n',
        encoding="utf-8",
    )
    values, defaulted = pm.resolve_values({"DEVELOPER_NAME": "Fabrikam"}, env_file)
    assert values["MICROSOFT_APP_ID"] == "8d3f1c52-6b0e-4a7d-9f21-3c5e7b9a0d14"
    assert values["DEVELOPER_NAME"] == "Fabrikam"
    assert values["APP_VERSION"] == pm.project_version()
    assert set(defaulted) == {
        "APP_VERSION",
        "BOT_DOMAIN",
        "DEVELOPER_URL",
        "PRIVACY_URL",
        "TERMS_URL",
    }
    assert set(values) == set(SAMPLE)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("APP_VERSION", "1.0"),
        ("APP_VERSION", "1.0.0-beta"),
        ("BOT_DOMAIN", "not a domain"),
        ("PRIVACY_URL", "http://contoso.com/privacy"),
    ],
)
def test_malformed_values_are_refused(variable: str, value: str) -> None:
    environ = {"MicrosoftAppId": SAMPLE["MICROSOFT_APP_ID"], variable: value}
    with pytest.raises(pm.PackageError, match=variable):
        pm.resolve_values(environ, None)
