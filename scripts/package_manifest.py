"""Build the Teams app package: build/fasttrack-ems-onboarding-<version>.zip.

The zip holds exactly manifest.json, color.png, outline.png and ko.json at its root.

manifest/manifest.json is a template: `{{NAME}}` placeholders in its strings are filled at
package time from environment variables, falling back to the repository's .env file:

    placeholder            variable         default
    {{MICROSOFT_APP_ID}}   MicrosoftAppId   none: required, a GUID (the Azure Bot's app id)
    {{APP_VERSION}}        APP_VERSION      the version in pyproject.toml
    {{BOT_DOMAIN}}         BOT_DOMAIN       fasttrack-ems-onboarding.azurewebsites.net
    {{DEVELOPER_NAME}}     DEVELOPER_NAME   FastTrack EMS Onboarding
    {{DEVELOPER_URL}}      DEVELOPER_URL    https://<BOT_DOMAIN>/
    {{PRIVACY_URL}}        PRIVACY_URL      https://<BOT_DOMAIN>/privacy
    {{TERMS_URL}}          TERMS_URL        https://<BOT_DOMAIN>/terms

The bot's command lists (one per scope) and their Korean titles in ko.json are generated from
the bot's own command registry, dialogs.commands.LISTED_COMMANDS, every time a package is built.
`--sync` writes the generated parts back into manifest/manifest.json and manifest/ko.json so
the committed files show what ships (a test checks that they are in sync).

Before zipping, the rendered manifest.json and ko.json are validated against the official
JSON schemas of the manifest version they declare, read from the npm package
@microsoft/app-manifest in node_modules (run `npm ci` first).

Usage (from the repository root):
    python scripts/package_manifest.py [--env-file PATH] [--out DIR]
    python scripts/package_manifest.py --sync
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import struct
import sys
import tomllib
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python scripts/package_manifest.py`
    sys.path.insert(0, str(ROOT))

from dialogs.commands import LISTED_COMMANDS  # noqa: E402

MANIFEST_DIR = ROOT / "manifest"
TEMPLATE = MANIFEST_DIR / "manifest.json"
SCHEMA_ROOT = ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas"
SCHEMA_ROOT = SCHEMA_ROOT / "teams"
SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v{version}/{file}"
MANIFEST_SCHEMA = "MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = "MicrosoftTeams.Localization.schema.json"

PACKAGE_NAME = "fasttrack-ems-onboarding"
PACKAGE_FILES = ("manifest.json", "color.png", "outline.png", "ko.json")
ICON_SIZES = {"color.png": 192, "outline.png": 32}
BOT_SCOPES = ("personal", "team", "groupChat")
# Localized files, by the language tag in localizationInfo, and the COMMANDS language key.
LANGUAGES = {"ko-kr": "ko"}

# Placeholder in the template -> the environment variable that fills it.
VARIABLES = {
    "MICROSOFT_APP_ID": "MicrosoftAppId",
    "APP_VERSION": "APP_VERSION",
    "BOT_DOMAIN": "BOT_DOMAIN",
    "DEVELOPER_NAME": "DEVELOPER_NAME",
    "DEVELOPER_URL": "DEVELOPER_URL",
    "PRIVACY_URL": "PRIVACY_URL",
    "TERMS_URL": "TERMS_URL",
}
DEFAULT_BOT_DOMAIN = "fasttrack-ems-onboarding.azurewebsites.net"
DEFAULT_DEVELOPER_NAME = "FastTrack EMS Onboarding"

PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
HOSTNAME = re.compile(r"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
COMMAND_KEY = re.compile(r"^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(\w+)$")


class PackageError(Exception):
    """Why the package cannot be built, in a sentence for the person running the script."""


# --- values -----------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; blank lines, comments and `export ` are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def resolve_values(
    environ: Mapping[str, str], env_file: Path | None = ROOT / ".env"
) -> tuple[dict[str, str], list[str]]:
    """The placeholder values from `environ` over `env_file`, checked, and the defaulted names.

    Raises PackageError when MicrosoftAppId is missing or not a GUID, or a value is malformed.
    """
    source = {**(read_env_file(env_file) if env_file else {}), **environ}

    def get(variable: str) -> str:
        return source.get(variable, "").strip()

    app_id = get("MicrosoftAppId")
    if not app_id:
        raise PackageError(
            "MicrosoftAppId is empty: set it (the Azure Bot's Microsoft App ID, a GUID) "
            "in the environment or .env"
        )
    if not GUID.match(app_id):
        raise PackageError(
            f"MicrosoftAppId {app_id!r} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
        )

    defaulted: list[str] = []

    def get_or(variable: str, default: str) -> str:
        value = get(variable)
        if value:
            return value
        defaulted.append(variable)
        return default

    version = get_or("APP_VERSION", project_version())
    if not SEMVER.match(version):
        raise PackageError(f"APP_VERSION {version!r} is not MAJOR.MINOR.PATCH (for example 1.0.0)")
    domain = get_or("BOT_DOMAIN", DEFAULT_BOT_DOMAIN)
    if "://" in domain:  # tolerate a URL: keep its host
        domain = urlsplit(domain).hostname or ""
    if not HOSTNAME.match(domain):
        raise PackageError(
            f"BOT_DOMAIN {domain!r} is not a host name (for example bot.contoso.com)"
        )
    values = {
        "MICROSOFT_APP_ID": app_id,
        "APP_VERSION": version,
        "BOT_DOMAIN": domain,
        "DEVELOPER_NAME": get_or("DEVELOPER_NAME", DEFAULT_DEVELOPER_NAME),
        "DEVELOPER_URL": get_or("DEVELOPER_URL", f"https://{domain}/"),
        "PRIVACY_URL": get_or("PRIVACY_URL", f"https://{domain}/privacy"),
        "TERMS_URL": get_or("TERMS_URL", f"https://{domain}/terms"),
    }
    for name in ("DEVELOPER_URL", "PRIVACY_URL", "TERMS_URL"):
        if not values[name].lower().startswith("https://"):
            raise PackageError(f"{name} {values[name]!r} must be an https:// URL")
    return values, defaulted


# --- generated parts --------------------------------------------------------------------


def command_lists() -> list[dict[str, Any]]:
    """One command list per bot scope, every command in each, English titles."""
    commands = [
        {"title": spec.title["en"], "description": spec.description["en"]}
        for spec in LISTED_COMMANDS
    ]
    return [{"scopes": [scope], "commands": copy.deepcopy(commands)} for scope in BOT_SCOPES]


def localized_command_strings(lang: str) -> dict[str, str]:
    """ko.json-style keys for every command title and description in `command_lists()`."""
    strings: dict[str, str] = {}
    for i, _scope in enumerate(BOT_SCOPES):
        for j, spec in enumerate(LISTED_COMMANDS):
            prefix = f"bots[0].commandLists[{i}].commands[{j}]"
            strings[f"{prefix}.title"] = spec.title[lang]
            strings[f"{prefix}.description"] = spec.description[lang]
    return strings


def _shown(path: Path) -> str:
    """`path` relative to the repository root when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_template() -> dict[str, Any]:
    """manifest/manifest.json with its command lists generated from COMMANDS."""
    template: dict[str, Any] = load_json(TEMPLATE)
    template["bots"][0]["commandLists"] = command_lists()
    return template


def localization(file: str) -> dict[str, Any]:
    """A localization file (e.g. ko.json) with its command strings generated from COMMANDS."""
    tag = next(
        lang["languageTag"]
        for lang in load_json(TEMPLATE)["localizationInfo"]["additionalLanguages"]
        if lang["file"] == file
    )
    strings: dict[str, Any] = load_json(MANIFEST_DIR / file)
    kept = {k: v for k, v in strings.items() if not COMMAND_KEY.match(k)}
    return {**kept, **localized_command_strings(LANGUAGES[tag])}


def localization_files() -> list[str]:
    return [lang["file"] for lang in load_json(TEMPLATE)["localizationInfo"]["additionalLanguages"]]


def sync() -> list[Path]:
    """Write the generated parts into the committed manifest.json and localization files."""
    written = [TEMPLATE]
    dump_json(TEMPLATE, manifest_template())
    for file in localization_files():
        dump_json(MANIFEST_DIR / file, localization(file))
        written.append(MANIFEST_DIR / file)
    return written


def dump_json(path: Path, data: Any) -> None:
    path.write_text(json_text(data), encoding="utf-8")


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- rendering --------------------------------------------------------------------------


def placeholders(data: Any) -> set[str]:
    """Every {{NAME}} used in the strings of `data`."""
    if isinstance(data, str):
        return set(PLACEHOLDER.findall(data))
    if isinstance(data, dict):
        return set().union(*(placeholders(v) for v in data.values()), set())
    if isinstance(data, list):
        return set().union(*(placeholders(v) for v in data), set())
    return set()


def substitute(data: Any, values: Mapping[str, str]) -> Any:
    if isinstance(data, str):
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], data)
    if isinstance(data, dict):
        return {k: substitute(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [substitute(v, values) for v in data]
    return data


def render_manifest(values: Mapping[str, str]) -> dict[str, Any]:
    """The manifest with every placeholder filled from `values` (keyed by placeholder name)."""
    template = manifest_template()
    missing = sorted(placeholders(template) - set(values))
    if missing:
        raise PackageError(f"no value for placeholder(s) {', '.join(missing)} in manifest.json")
    rendered: dict[str, Any] = substitute(template, values)
    return rendered


# --- schema validation ------------------------------------------------------------------


def schema_dir(version: str) -> Path:
    directory = SCHEMA_ROOT / f"v{version}"
    if not directory.is_dir():
        if not SCHEMA_ROOT.is_dir():
            raise PackageError(
                f"the Teams manifest schemas are missing ({_shown(SCHEMA_ROOT)}): "
                "run `npm ci` in the repository root"
            )
        raise PackageError(
            f"@microsoft/app-manifest in node_modules has no schema for manifest version "
            f"{version}: run `npm ci`, or check manifestVersion in manifest/manifest.json"
        )
    return directory


def newest_schema_version() -> str:
    """The highest v1.NN schema directory the installed @microsoft/app-manifest ships."""
    if not SCHEMA_ROOT.is_dir():
        raise PackageError(
            f"the Teams manifest schemas are missing ({_shown(SCHEMA_ROOT)}): "
            "run `npm ci` in the repository root"
        )
    versions = [
        tuple(int(n) for n in d.name[1:].split("."))
        for d in SCHEMA_ROOT.iterdir()
        if re.fullmatch(r"v\d+\.\d+", d.name)
    ]
    if not versions:
        raise PackageError(f"no v1.NN schema folders in {_shown(SCHEMA_ROOT)}: run `npm ci`")
    return ".".join(str(n) for n in max(versions))


def _pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """`pattern` with the ECMA-262 regexes the schemas use, e.g. \\p{L}, which `re` lacks."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string"):
        return
    try:
        found = re.search(pattern, instance)
    except re.error:
        import regex  # understands Unicode property classes, which re does not

        found = regex.search(pattern, instance)
    if not found:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def schema_validator(version: str, file: str) -> Any:
    """A jsonschema validator for `file` of manifest schema `version`.

    The Teams schemas declare draft-04 but also use later keywords (const, if/then) that a
    plain draft-04 validator would silently ignore, so those are added. Every schema file of
    the version is registered under its published URL, so a $ref to a sibling file resolves
    offline.
    """
    try:
        from jsonschema import Draft202012Validator, validators
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4
    except ImportError as e:
        raise PackageError(f"{e.name} is not installed: pip install -r requirements-dev.txt") from e

    directory = schema_dir(version)
    registry: Registry[Any] = Registry()
    for path in sorted(directory.glob("*.json")):
        resource = Resource.from_contents(load_json(path), default_specification=DRAFT4)
        registry = registry.with_resource(
            SCHEMA_URL.format(version=version, file=path.name), resource
        )
    registry = registry.crawl()

    schema = load_json(directory / file)
    base = validators.validator_for(schema, default=validators.Draft4Validator)
    extra = {
        keyword: Draft202012Validator.VALIDATORS[keyword]
        for keyword in ("const", "if", "contains", "propertyNames")
        if keyword not in base.VALIDATORS
    }
    extended = validators.extend(base, {**extra, "pattern": _pattern_keyword})
    # The schema's own URL as its base, so relative $refs resolve against the registry.
    legacy = base in (validators.Draft3Validator, validators.Draft4Validator)
    id_keyword = "id" if legacy else "$id"
    rooted = {id_keyword: SCHEMA_URL.format(version=version, file=file), **schema}
    return extended(rooted, registry=registry, format_checker=base.FORMAT_CHECKER)


def validation_errors(instance: Any, version: str, file: str) -> list[str]:
    """Each way `instance` breaks the schema, as 'path: message' lines (none when valid)."""
    validator = schema_validator(version, file)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {_short(e.message)}" for e in errors
    ]


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


# --- the package ------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise PackageError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def package_contents(values: Mapping[str, str]) -> dict[str, bytes]:
    """The files of the package by name, rendered and validated; raises PackageError."""
    manifest = render_manifest(values)
    version = manifest["manifestVersion"]
    problems = [f"manifest.json {e}" for e in validation_errors(manifest, version, MANIFEST_SCHEMA)]
    files = {"manifest.json": json_text(manifest).encode("utf-8")}
    for file in localization_files():
        strings = localization(file)
        problems += [
            f"{file} {e}" for e in validation_errors(strings, version, LOCALIZATION_SCHEMA)
        ]
        files[file] = json_text(strings).encode("utf-8")
    if problems:
        raise PackageError(
            f"the rendered files do not match the Teams v{version} schemas:\n  "
            + "\n  ".join(problems)
        )
    for icon, size in ICON_SIZES.items():
        path = MANIFEST_DIR / icon
        if not path.is_file():
            raise PackageError(f"{_shown(path)} is missing: run python scripts/make_icons.py")
        data = path.read_bytes()
        if png_size(data) != (size, size):
            raise PackageError(f"{icon} must be {size}×{size} pixels, not {png_size(data)}")
        files[icon] = data
    return {name: files[name] for name in PACKAGE_FILES}


def package_path(out_dir: Path, version: str) -> Path:
    return out_dir / f"{PACKAGE_NAME}-{version}.zip"


def build_package(values: Mapping[str, str], out_dir: Path = ROOT / "build") -> Path:
    """Write the zip for `values` into `out_dir` and return its path; raises PackageError."""
    files = package_contents(values)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = package_path(out_dir, values["APP_VERSION"])
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    partial.replace(target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--env-file", type=Path, default=ROOT / ".env", help="default: .env")
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="default: build/")
    parser.add_argument(
        "--sync",
        action="store_true",
        help="write the command lists generated from dialogs/commands.py into manifest/",
    )
    args = parser.parse_args(argv)
    try:
        if args.sync:
            for path in sync():
                print(_shown(path))
            return 0
        values, defaulted = resolve_values(os.environ, args.env_file)
        if defaulted:
            print(f"note: using defaults for {', '.join(defaulted)}", file=sys.stderr)
        print(build_package(values, args.out))
    except PackageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
