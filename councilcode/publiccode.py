"""publiccode.yml (https://yml.publiccode.tools): parsed for the repository page and the API.

YAML 1.2 through ruamel.yaml. Any version of the standard in use (0.1 to 0.4): the keys read here
are the ones common to all of them. A file that does not parse, or lacks a required key, is
reported with its problems named: never an exception.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

# Keys every version of the standard requires (0.4 made categories optional, so it is not here).
REQUIRED = (
    "publiccodeYmlVersion",
    "name",
    "url",
    "softwareType",
    "developmentStatus",
    "description",
    "platforms",
    "maintenance",
    "legal",
)
MAX_BYTES = 256 * 1024  # the largest file parsed: a real publiccode.yml is a few KB
PREFERRED_LANGUAGES = ("en", "en-GB", "en-gb", "eng")


@dataclass
class PublicCode:
    """What the page and `/api/repos/...` show of a publiccode.yml."""

    valid: bool
    problems: list[str] = field(default_factory=list)
    name: str | None = None
    description: str | None = None
    software_type: str | None = None
    development_status: str | None = None
    maintenance_type: str | None = None
    contacts: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    version: str | None = None  # publiccodeYmlVersion

    def to_api(self) -> dict[str, Any]:
        """The JSON `/api/repos/{owner}/{name}` gives (issue 14's shape, and the extras the page shows)."""
        return asdict(self)


def parse_publiccode(text: str | None) -> PublicCode | None:
    """The parsed file; None when the repository has none."""
    if text is None:
        return None
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        return PublicCode(False, [f"publiccode.yml is larger than {MAX_BYTES // 1024} KB; not read"])
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        return PublicCode(False, [f"not valid YAML: {_one_line(exc)}"])
    except (ValueError, TypeError, RecursionError) as exc:
        return PublicCode(False, [f"not valid YAML: {_one_line(exc)}"])
    if not isinstance(data, dict):
        return PublicCode(False, ["not a YAML mapping of keys to values"])
    problems = [f"required key '{key}' is missing" for key in REQUIRED if data.get(key) in (None, "", [], {})]
    maintenance = data.get("maintenance") if isinstance(data.get("maintenance"), dict) else {}
    if data.get("maintenance") is not None and not isinstance(data.get("maintenance"), dict):
        problems.append("'maintenance' is not a mapping")
    elif maintenance and not maintenance.get("type"):
        problems.append("required key 'maintenance.type' is missing")
    legal = data.get("legal")
    if isinstance(legal, dict) and not legal.get("license"):
        problems.append("required key 'legal.license' is missing")
    description = _description(data.get("description"))
    if data.get("description") is not None and description is None:
        problems.append("'description' has no language with a short or long description")
    return PublicCode(
        valid=not problems,
        problems=problems,
        name=_text(data.get("name")),
        description=description,
        software_type=_text(data.get("softwareType")),
        development_status=_text(data.get("developmentStatus")),
        maintenance_type=_text(maintenance.get("type")),
        contacts=[c for c in (_contact(x) for x in _list(maintenance.get("contacts"))) if c],
        categories=[t for t in (_text(x) for x in _list(data.get("categories"))) if t],
        platforms=[t for t in (_text(x) for x in _list(data.get("platforms"))) if t],
        dependencies=_dependencies(data.get("dependsOn")),
        version=_text(data.get("publiccodeYmlVersion")),
    )


def _description(value: Any) -> str | None:
    """The English description if there is one, else the first language's: short, else the first line of long."""
    if not isinstance(value, dict) or not value:
        return None
    languages = [lang for lang in PREFERRED_LANGUAGES if isinstance(value.get(lang), dict)]
    languages += [lang for lang, v in value.items() if isinstance(v, dict) and lang not in languages]
    for lang in languages:
        entry = value[lang]
        text = _text(entry.get("shortDescription")) or _text(entry.get("longDescription"))
        if text:
            return text
    return None


def _dependencies(value: Any) -> list[str]:
    """Names under dependsOn (open, proprietary, hardware), with the version where one is given."""
    if not isinstance(value, dict):
        return []
    names = []
    for kind in ("open", "proprietary", "hardware"):
        for dep in _list(value.get(kind)):
            if isinstance(dep, dict) and _text(dep.get("name")):
                version = _text(dep.get("version")) or _text(dep.get("versionMin"))
                names.append(f"{_text(dep['name'])} {version}" if version else str(_text(dep["name"])))
    return names


def _contact(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    name, email = _text(value.get("name")), _text(value.get("email"))
    if name and email:
        return f"{name} <{email}>"
    return name or email


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
