"""Load and validate config/orgs.yaml, the list of councils and their GitHub handles.

Every problem is reported with the file and the (1-based) line it is on, and all of them at once,
so that someone fixing the file by hand sees everything in one go.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from councilcode.errors import CouncilcodeError
from councilcode.records import COUNCIL_TYPES, NATIONS, Council
from councilcode.register import ALLOWED_TYPES, Authority, Register, load_register

TOP_LEVEL_KEYS = ("councils",)
COUNCIL_KEYS = ("name", "code", "github", "type", "nation", "website")

# GitHub logins: 1-39 alphanumerics and single hyphens, not starting or ending with a hyphen.
_LOGIN_RE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_LOGIN_MAX = 39

# Spellings people are likely to use for a type that difflib would not map on its own.
_TYPE_ALIASES = {
    "scottish-council": "unitary",
    "scottish-unitary": "unitary",
    "london-borough-council": "london-borough",
    "metropolitan-district": "metropolitan-borough",
    "fire": "fire-and-rescue",
    "fire-service": "fire-and-rescue",
}


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a config file, at a 1-based line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(CouncilcodeError):
    """The config file has problems; `problems` holds all of them, sorted by line."""

    exit_code = 2

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: list[ConfigProblem] = sorted(problems, key=lambda p: p.line)
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        # Only `crawl` (and `schedule`, which logs and goes on) stops on a bad config; `orgs` prints the
        # problems as the answer to its check.
        where = self.problems[0].path if self.problems else "config"
        return "\n".join([*(str(p) for p in self.problems), f"{where}: invalid config, nothing crawled"])


def is_valid_login(handle: str) -> bool:
    """True if `handle` is shaped like a GitHub login (it may still not exist)."""
    return 1 <= len(handle) <= _LOGIN_MAX and _LOGIN_RE.fullmatch(handle) is not None


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def suggest(value: str, allowed: Iterable[str], aliases: dict[str, str] | None = None) -> str | None:
    """The allowed value `value` was probably meant to be, or None.

    Case, spaces and '&' are forgiven first ("London borough" -> 'london-borough',
    "fire & rescue" -> 'fire-and-rescue'), then difflib looks for a close spelling.
    """
    allowed = list(allowed)
    by_key = {_normalise(a): a for a in allowed}
    key = _normalise(value)
    if key in by_key:
        return by_key[key]
    if aliases and key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def canonical_choice(value: str, allowed: Iterable[str]) -> str | None:
    """The allowed value that `value` spells with other case, spaces or '&' ("england" -> 'England')."""
    key = _normalise(value)
    return next((a for a in allowed if _normalise(a) == key), None)


def _normalise(value: str) -> str:
    words = value.strip().lower().replace("&", " and ").replace("_", " ").replace("-", " ").split()
    return "-".join(words)


def check_type(value: str, where: str = "") -> str | None:
    """A problem message if `value` is not one of COUNCIL_TYPES, else None.

    `where` (e.g. " in council 'Foo'") goes right after the value in the message.
    """
    return _enum_problem("type", value, COUNCIL_TYPES, where, _TYPE_ALIASES)


def check_nation(value: str, where: str = "") -> str | None:
    """A problem message if `value` is not one of NATIONS, else None."""
    return _enum_problem("nation", value, NATIONS, where)


def _enum_problem(
    field: str, value: str, allowed: tuple[str, ...], where: str, aliases: dict[str, str] | None = None
) -> str | None:
    if value in allowed:
        return None
    message = f"unknown {field} {value!r}{where} (allowed: {', '.join(allowed)})"
    guess = suggest(value, allowed, aliases)
    if guess:
        message += f"; did you mean {guess!r}?"
    return message


def load_councils(path: Path) -> list[Council]:
    """Read and validate the councils file at `path`.

    Raises ConfigError listing every problem found (sorted by line) when anything is wrong.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path, 1, "file not found")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem(path, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([ConfigProblem(path, line, "not valid UTF-8 text")]) from None
    return parse_councils(text, path)


def parse_councils(text: str, path: Path) -> list[Council]:
    """Validate councils-file `text`; `path` is only used to name the file in problems."""
    councils, problems = _Validator(Path(path), load_register()).run(text)
    if problems:
        raise ConfigError(problems)
    return councils


def handle_index(councils: Iterable[Council]) -> dict[str, Council]:
    """Map each lower-cased GitHub handle to its council (GitHub logins ignore case)."""
    return {handle.lower(): council for council in councils for handle in council.github}


def yaml_round_trip() -> YAML:
    """A round-trip ruamel.yaml instance: keeps comments and line numbers."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _describe(value: Any) -> str:
    """How to name a wrong-typed YAML value in a message."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, CommentedMap | dict):
        return "a mapping"
    if isinstance(value, CommentedSeq | list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


def complete_from_register(council: Council, register: Register | None = None) -> Council:
    """`council` with the name, type and nation its code gives where it does not give them itself."""
    authority = (register or load_register()).get(council.code) if council.code else None
    if authority is None:
        return council
    return dataclasses.replace(
        council,
        name=council.name or authority.name,
        type=council.type or authority.council_type,
        nation=council.nation or authority.nation,
    )


def code_problem(code: str, name: str | None, register: Register, where: str = "") -> str | None:
    """Why `code` cannot be a council's code (unknown, not a current council, not the council called
    `name`), or None when it can. `where` goes after the code in the message."""
    authority = register.get(code)
    if authority is None:
        message = f"unknown council code {code!r}{where} (not in the register of UK local authorities)"
        guess = register.suggest_code(code, name)
        return message + (f"; did you mean {guess.code!r} ({guess.name})?" if guess else "")
    if not authority.current:
        successors = register.successors(authority)
        if authority.end_date:
            message = (
                f"council code {code!r}{where} is {authority.name}, which no longer exists (ended {authority.end_date})"
            )
        else:
            message = f"council code {code!r}{where} is {authority.name}, which is not a current council"
        if successors:
            message += "; it was replaced by " + " and ".join(a.label() for a in successors)
            message += ": use " + " or ".join(repr(a.code) for a in successors) + " instead"
        return message
    if name and not register.name_fits(authority, name):
        message = f"council code {code!r}{where} is {authority.name} in the register, not {name!r}"
        named = register.by_name(name)
        return message + (f"; did you mean {named.code!r}?" if named and named.code != code else "")
    return None


class _Validator:
    """Walks the loaded document, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, register: Register) -> None:
        self.path = path
        self.register = register
        self.problems: list[ConfigProblem] = []
        self.handles: dict[str, tuple[int, str]] = {}  # lower-cased handle -> (line, council name)
        self.names: dict[str, int] = {}  # normalised council name -> line
        self.codes: dict[str, tuple[int, str]] = {}  # register code -> (line, council name)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(ConfigProblem(self.path, line, message))

    def run(self, text: str) -> tuple[list[Council], list[ConfigProblem]]:
        try:
            data = yaml_round_trip().load(text)
        except MarkedYAMLError as exc:
            self.problem(*_yaml_error(exc))
            return [], self.problems
        except YAMLError as exc:  # errors without a position, e.g. bad characters in the stream
            self.problem(1, f"invalid YAML: {exc}")
            return [], self.problems

        if data is None:
            self.problem(1, "file is empty; expected a mapping with a 'councils' list")
            return [], self.problems
        if not isinstance(data, CommentedMap):
            self.problem(_line(data, 0), f"top level is {_describe(data)}; expected a mapping with a 'councils' list")
            return [], self.problems

        for key in data:
            if key not in TOP_LEVEL_KEYS:
                self.problem(
                    data.lc.key(key)[0] + 1,
                    f"unknown top-level key {key!r} (expected: {', '.join(TOP_LEVEL_KEYS)})",
                )
        if "councils" not in data:
            self.problem(_line(data, 0), "missing 'councils' list at the top level")
            return [], self.problems
        entries = data["councils"]
        if not isinstance(entries, CommentedSeq):
            self.problem(
                data.lc.key("councils")[0] + 1,
                f"'councils' is {_describe(entries)}; expected a list of councils",
            )
            return [], self.problems

        councils = []
        for index, entry in enumerate(entries):
            council = self.entry(entry, entries.lc.item(index)[0] + 1, index + 1)
            if council is not None:
                councils.append(council)
        return councils, self.problems

    def entry(self, entry: Any, line: int, number: int) -> Council | None:
        """Validate one list item; returns its Council if it is usable (problems may remain)."""
        if not isinstance(entry, CommentedMap):
            self.problem(line, f"council #{number} is {_describe(entry)}; expected a mapping with name and github")
            return None

        name = entry.get("name")
        name_ok = isinstance(name, str) and name.strip() != ""
        authority = None
        code = entry.get("code")
        if "name" not in entry and isinstance(code, str):
            # An entry may leave its name to the register: name it by its code until the code is checked.
            authority = self.register.get(code.strip())
            if authority is not None and authority.current:
                name, name_ok = authority.name, True
        label = f"council {name.strip()!r}" if name_ok else f"council #{number}"

        for key in entry:
            if key not in COUNCIL_KEYS:
                self.problem(
                    entry.lc.key(key)[0] + 1,
                    f"unknown key {key!r} in {label} (expected one of: {', '.join(COUNCIL_KEYS)})",
                )

        if "name" not in entry and not name_ok:
            if "code" not in entry:
                self.problem(line, f"{label} has no 'name'")
        elif not name_ok:
            what = "empty" if name is None or isinstance(name, str) else _describe(name)
            self.problem(entry.lc.key("name")[0] + 1, f"'name' of {label} is {what}; expected the council's name")
        else:
            name = name.strip()
            key = " ".join(name.lower().split())
            # A name taken from the register is where the code is.
            name_line = entry.lc.key("name" if "name" in entry else "code")[0] + 1
            if key in self.names:
                self.problem(name_line, f"duplicate council name {name!r} (already at line {self.names[key]})")
            else:
                self.names[key] = name_line

        authority = self.code(entry, label, name.strip() if name_ok and "name" in entry else None)
        handles = self.github(entry, line, label, name if name_ok else None)
        optional = {key: self.optional(entry, key, label) for key in ("type", "nation", "website")}
        if authority is not None:
            self.agrees_with_register(entry, label, authority, optional)

        if not name_ok or handles is None:
            return None
        council = Council(name=name, github=tuple(handles), line=line, code=authority and authority.code, **optional)
        return complete_from_register(council, self.register)

    def code(self, entry: CommentedMap, label: str, name: str | None) -> Authority | None:
        """The current authority the entry's `code` names, or None (with a problem unless there is no code)."""
        if "code" not in entry or entry["code"] is None:
            return None
        value = entry["code"]
        key_line = entry.lc.key("code")[0] + 1
        if not isinstance(value, str) or not value.strip():
            what = "empty" if isinstance(value, str) else _describe(value)
            self.problem(key_line, f"'code' of {label} is {what}; expected a council code from the register, e.g. BST")
            return None
        code = value.strip()
        message = code_problem(code, name, self.register, f" in {label}")
        if message:
            self.problem(key_line, message)
            return None
        seen = self.codes.get(code)
        if seen is not None:
            earlier_line, earlier_name = seen
            self.problem(
                key_line,
                f"council code {code!r} in {label} is already used at line {earlier_line} by council "
                f"{earlier_name!r} (one entry per council: list all its GitHub handles there)",
            )
            return None
        self.codes[code] = (key_line, name or label)
        return self.register.get(code)

    def agrees_with_register(
        self, entry: CommentedMap, label: str, authority: Authority, given: dict[str, str | None]
    ) -> None:
        """A type or nation the entry gives must be the one its code has in the register."""
        if given["nation"] is not None and given["nation"] != authority.nation:
            self.problem(
                entry.lc.key("nation")[0] + 1,
                f"nation {given['nation']!r} of {label} is not the register's: {authority.label()} "
                f"is in {authority.nation}",
            )
        allowed = ALLOWED_TYPES.get(authority.type_code)
        if given["type"] is not None and allowed is not None and given["type"] not in allowed:
            self.problem(
                entry.lc.key("type")[0] + 1,
                f"type {given['type']!r} of {label} is not the register's: {authority.label()} is a "
                f"{authority.type_name.lower()} ({' or '.join(repr(t) for t in sorted(allowed))})",
            )

    def github(self, entry: CommentedMap, line: int, label: str, name: str | None) -> list[str] | None:
        if "github" not in entry:
            self.problem(line, f"{label} has no 'github' handles")
            return None
        value = entry["github"]
        key_line = entry.lc.key("github")[0] + 1
        if isinstance(value, str):  # one handle written as a plain string
            items = [(value, key_line)] if value.strip() else []
        elif isinstance(value, CommentedSeq):
            items = [(item, value.lc.item(i)[0] + 1) for i, item in enumerate(value)]
        else:
            self.problem(key_line, f"'github' of {label} is {_describe(value)}; expected a list of handles")
            return None
        if not items:
            self.problem(key_line, f"'github' of {label} is empty; expected at least one handle")
            return None

        handles = []
        for handle, item_line in items:
            if not isinstance(handle, str):
                hint = f"; quote it: '{handle}'" if isinstance(handle, int) and not isinstance(handle, bool) else ""
                self.problem(item_line, f"GitHub handle in {label} is {_describe(handle)}{hint}")
                continue
            handle = handle.strip()
            if not is_valid_login(handle):
                self.problem(
                    item_line,
                    f"{handle!r} in {label} is not a valid GitHub handle "
                    f"(1-{_LOGIN_MAX} letters, digits and single hyphens, not starting or ending with '-')",
                )
                continue
            seen = self.handles.get(handle.lower())
            if seen is not None:
                earlier_line, earlier_name = seen
                self.problem(
                    item_line,
                    f"duplicate GitHub handle {handle!r} in {label} "
                    f"(already listed at line {earlier_line} for council {earlier_name!r}; handles ignore case)",
                )
                continue
            self.handles[handle.lower()] = (item_line, name or label)
            handles.append(handle)
        return handles if len(handles) == len(items) else None

    def optional(self, entry: CommentedMap, key: str, label: str) -> str | None:
        """Validate an optional string field; an explicit empty value counts as absent."""
        if key not in entry or entry[key] is None:
            return None
        value = entry[key]
        key_line = entry.lc.key(key)[0] + 1
        if not isinstance(value, str):
            self.problem(key_line, f"'{key}' of {label} is {_describe(value)}; expected text")
            return None
        value = value.strip()
        where = f" in {label}"
        if key == "type":
            message = check_type(value, where)
        elif key == "nation":
            message = check_nation(value, where)
        else:
            message = None if is_http_url(value) else f"website {value!r}{where} is not an http(s) URL"
        if message:
            self.problem(key_line, message)
            return None
        return value


def _line(node: Any, default: int) -> int:
    """1-based line of a round-trip node, or `default` + 1 for plain scalars."""
    lc = getattr(node, "lc", None)
    return (lc.line if lc is not None and lc.line is not None else default) + 1


def _yaml_error(exc: MarkedYAMLError) -> tuple[int, str]:
    """(line, message) for a parser error, at the place the parser gave up."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = exc.problem or exc.context or "cannot parse"
    message = f"invalid YAML: {problem}"
    if exc.problem and exc.context:
        where = ""
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            where = f" at line {exc.context_mark.line + 1}"
        message += f" ({exc.context}{where})"
    return line, message
