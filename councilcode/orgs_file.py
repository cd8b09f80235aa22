"""Edit config/orgs.yaml in place without disturbing what people wrote by hand.

A plain ruamel.yaml round trip keeps comments but re-spaces things it considers equivalent
(`[ a ]`, extra spaces after a colon, line wrapping). So edits are made as text splices at the
positions ruamel.yaml's round-trip loader reports, which leaves every other byte alone. Only
when the file's layout is too unusual to splice (flow-style entries, an empty `councils: []`)
does add_council fall back to a full round-trip dump. Either way the result is parsed back and
compared with what was meant before it replaces the file.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from councilcode.config import (
    COUNCIL_KEYS,
    ConfigError,
    check_nation,
    check_type,
    code_problem,
    complete_from_register,
    handle_index,
    is_http_url,
    is_valid_login,
    load_councils,
    parse_councils,
    yaml_round_trip,
)
from councilcode.errors import CouncilcodeError
from councilcode.files import write_atomically
from councilcode.records import Council
from councilcode.register import load_register

# A block-sequence item's lead-in: indentation, the dash, then the gap before the content.
_DASH_RE = re.compile(r"(?P<indent>[ ]*)-(?P<gap>[ ]+)")


class OrgsFileError(CouncilcodeError):
    """add_council refused to edit the file; the message says why."""


class DuplicateHandleError(OrgsFileError):
    """A GitHub handle is already listed (handles ignore case)."""

    def __init__(self, handle: str, council: Council, path: Path) -> None:
        self.handle = handle
        self.council = council
        super().__init__(
            f"GitHub handle {handle!r} is already listed for council {council.name!r} "
            f"at {path}:{council.line} (handles ignore case)"
        )


class _CannotSplice(Exception):
    """The file's layout is too unusual for a text splice; use a round-trip dump instead."""


def add_council(path: Path, council: Council) -> None:
    """Add `council` to the councils file at `path`, keeping the rest of the file byte-for-byte.

    A new council is appended as a new entry. If a council with the same code or name is already listed,
    its handles are added to that entry's `github` list instead. A council with a code but no name is
    written with the register's name, so a reader of the file sees which council it is. Refuses (OrgsFileError) a handle
    that is already listed anywhere, or a council whose other fields contradict the existing entry.
    Raises ConfigError if the file is invalid before the edit or would be after it; the file is
    replaced atomically, so it is either untouched or fully written.
    """
    path = Path(path)
    council = _tidy(council)
    if council.code and not council.name:
        authority = load_register().get(council.code)
        council = dataclasses.replace(council, name=authority.name if authority else "")
    _check_new_council(council)
    text = _read_text(path)
    existing = parse_councils(text, path)  # refuse to edit a file that is already broken

    index = handle_index(existing)
    for handle in council.github:
        if handle.lower() in index:
            raise DuplicateHandleError(handle, index[handle.lower()], path)

    # What the file must read back as afterwards.
    target = _find_by_code(existing, council.code) or _find_by_name(existing, council.name)
    if target is None:
        position = None
        expected = [_facts(c) for c in existing] + [_facts(complete_from_register(council))]
    else:
        _check_no_conflict(target, council, path)
        position = existing.index(target)
        merged = dataclasses.replace(target, github=target.github + council.github)
        expected = [_facts(merged) if c is target else _facts(c) for c in existing]

    new_text = None
    try:
        candidate = _splice(text, council, position)
        if _parses_to(candidate, path, expected):
            new_text = candidate
    except Exception:  # _CannotSplice, or a layout the splicer misjudged: the round trip is safe
        pass
    if new_text is None:
        try:
            candidate = _round_trip(text, council, position)
        except Exception as exc:
            raise OrgsFileError(f"could not edit {path}: {exc}; please add {council.name!r} by hand") from exc
        if not _parses_to(candidate, path, expected):
            raise OrgsFileError(f"could not edit {path} safely; please add {council.name!r} by hand")
        new_text = candidate
    _replace_validated(path, new_text, expected)


def _tidy(council: Council) -> Council:
    """Strip stray whitespace the way load_councils does, so the result compares equal."""

    def clean(value: str | None) -> str | None:
        return value.strip() if value is not None else None

    return dataclasses.replace(
        council,
        name=council.name.strip(),
        github=tuple(h.strip() for h in council.github),
        type=clean(council.type),
        nation=clean(council.nation),
        website=clean(council.website),
        code=clean(council.code),
    )


def _check_new_council(council: Council) -> None:
    problems = []
    if not council.name.strip():
        problems.append("the council's name is empty")
    if not council.github:
        problems.append("no GitHub handle given")
    for handle in council.github:
        if not is_valid_login(handle):
            problems.append(f"{handle!r} is not a valid GitHub handle")
    lowered = [h.lower() for h in council.github]
    if len(set(lowered)) != len(lowered):
        problems.append("the same GitHub handle is given twice")
    if council.type is not None:
        problems.append(check_type(council.type) or "")
    if council.nation is not None:
        problems.append(check_nation(council.nation) or "")
    if council.website is not None and not is_http_url(council.website):
        problems.append(f"website {council.website!r} is not an http(s) URL")
    if council.code is not None:
        problems.append(code_problem(council.code, council.name or None, load_register()) or "")
    problems = [p for p in problems if p]
    if problems:
        raise OrgsFileError("; ".join(problems))


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        load_councils(path)  # reports the problem with file and line
        raise


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


def _find_by_name(councils: list[Council], name: str) -> Council | None:
    key = _name_key(name)
    return next((c for c in councils if _name_key(c.name) == key), None)


def _find_by_code(councils: list[Council], code: str | None) -> Council | None:
    return next((c for c in councils if code and c.code == code), None)


def _check_no_conflict(target: Council, council: Council, path: Path) -> None:
    """Adding a handle to an existing council must not silently drop a different type/nation/website/code."""
    clashes = [
        f"{field} {getattr(council, field)!r} (the file has {getattr(target, field)!r})"
        for field in ("type", "nation", "website", "code")
        if getattr(council, field) is not None
        and getattr(council, field) != getattr(target, field)
        # A code found for a council the file lists without one is no contradiction (the file keeps its entry).
        and not (field == "code" and getattr(target, field) is None)
    ]
    if clashes:
        raise OrgsFileError(
            f"council {target.name!r} is already listed at {path}:{target.line} with different details: "
            + ", ".join(clashes)
            + "; edit the file by hand to change them"
        )


def _facts(council: Council) -> tuple:
    """What a council entry means, leaving out where it is."""
    return (council.name, council.code, council.github, council.type, council.nation, council.website)


def _parses_to(text: str, path: Path, expected: list[tuple]) -> bool:
    try:
        return [_facts(c) for c in parse_councils(text, path)] == expected
    except ConfigError:
        return False


# --- text splicing -------------------------------------------------------------------------------


def _splice(text: str, council: Council, position: int | None) -> str:
    """`text` with the council appended, or its handles added to entry `position`."""
    data = yaml_round_trip().load(text)
    entries = data["councils"]
    if not isinstance(entries, CommentedSeq) or not entries or entries.fa.flow_style():
        raise _CannotSplice
    newline = "\r\n" if "\r\n" in text else "\n"
    starts = _line_starts(text)
    if position is None:
        return _append_entry(text, starts, entries, council, newline)
    return _extend_github(text, starts, entries[position], council.github, newline)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_text(text: str, starts: list[int], line: int) -> str:
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return text[starts[line] : end]


def _dash(text: str, starts: list[int], line: int, col: int) -> re.Match[str]:
    """The '- ' lead-in before the block-sequence item at (line, col)."""
    match = _DASH_RE.fullmatch(_line_text(text, starts, line)[:col])
    if match is None:  # e.g. the dash on a line of its own
        raise _CannotSplice
    return match


def _append_entry(text: str, starts: list[int], entries: CommentedSeq, council: Council, newline: str) -> str:
    last = entries[-1]
    if not isinstance(last, CommentedMap) or last.fa.flow_style():
        raise _CannotSplice
    line, col = entries.lc.item(len(entries) - 1)
    dash = _dash(text, starts, line, col)
    key_indent = " " * col

    github = last.get("github")
    if isinstance(github, CommentedSeq) and not github.fa.flow_style():
        item_line, item_col = github.lc.item(0)
        item_dash = _dash(text, starts, item_line, item_col)
        github_text = "".join(f"{newline}{item_dash['indent']}-{item_dash['gap']}{_scalar(h)}" for h in council.github)
    elif isinstance(github, str) and len(council.github) == 1:
        github_text = " " + _scalar(council.github[0])
    else:
        github_text = " [" + ", ".join(_scalar(h) for h in council.github) + "]"

    values = {
        "name": " " + _scalar(council.name),
        "code": council.code and " " + _scalar(council.code),
        "github": github_text,
        "type": council.type and " " + _scalar(council.type),
        "nation": council.nation and " " + _scalar(council.nation),
        "website": council.website and " " + _scalar(council.website),
    }
    lines = [f"{key}:{values[key]}" for key in COUNCIL_KEYS if values[key]]
    entry = f"{dash['indent']}-{dash['gap']}{lines[0]}{newline}"
    entry += "".join(f"{key_indent}{rest}{newline}" for rest in lines[1:])

    # Follow the file's habit of a blank line between entries (above any comment on the last one).
    above = line - 1
    while above >= 0 and _line_text(text, starts, above).lstrip().startswith("#"):
        above -= 1
    blank_between = len(entries) > 1 and above >= 0 and _line_text(text, starts, above).strip() == ""
    if text and not text.endswith("\n"):
        text += newline
    if blank_between and not text.endswith(newline * 2):
        text += newline
    return text + entry


def _extend_github(text: str, starts: list[int], entry: CommentedMap, handles: tuple[str, ...], newline: str) -> str:
    if entry.fa.flow_style():
        raise _CannotSplice
    github = entry["github"]
    line, col = entry.lc.value("github")
    offset = starts[line] + col
    written = [_scalar(h) for h in handles]

    if isinstance(github, str):
        # One handle written as a scalar: turn it into a flow list, keeping its spelling and quotes.
        end = offset + len(github)
        if text[offset] in "'\"":
            end += 2
        if text[offset:end].strip("'\"") != github:
            raise _CannotSplice
        return text[:offset] + "[" + ", ".join([text[offset:end], *written]) + "]" + text[end:]

    if github.fa.flow_style():
        close = text.find("]", offset)
        if text[offset] != "[" or close < 0:
            raise _CannotSplice
        last = close
        while last > offset and text[last - 1].isspace():
            last -= 1
        joined = ", ".join(written)
        addition = f" {joined}" if text[last - 1] == "," else f", {joined}"
        return text[:last] + addition + text[last:]

    item_line, item_col = github.lc.item(len(github) - 1)
    dash = _dash(text, starts, item_line, item_col)
    insert_at = starts[item_line + 1] if item_line + 1 < len(starts) else len(text)
    prefix = "" if text[:insert_at].endswith("\n") else newline
    lines = "".join(f"{dash['indent']}-{dash['gap']}{h}{newline}" for h in written)
    return text[:insert_at] + prefix + lines + text[insert_at:]


def _scalar(value: str) -> str:
    """`value` as YAML: plain if that reads back as the same string, else double-quoted."""
    if value and value == value.strip() and value.isprintable():
        try:
            if yaml_round_trip().load(f"k: {value}\n")["k"] == value:
                return value
        except Exception:  # anything the parser dislikes gets quoted instead
            pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


# --- round-trip fallback -------------------------------------------------------------------------


def _round_trip(text: str, council: Council, position: int | None) -> str:
    """The same edit through a full ruamel.yaml round trip: keeps comments, may re-space things."""
    data, indent, block_seq_indent = load_yaml_guess_indent(text)
    yaml = yaml_round_trip()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=indent or 2, sequence=indent or 2, offset=block_seq_indent or 0)

    entries = data.get("councils")
    if not isinstance(entries, CommentedSeq):
        entries = CommentedSeq()
        data["councils"] = entries
    if not entries:
        entries.fa.set_block_style()
    if position is None:
        entry = CommentedMap(name=council.name)
        if council.code is not None:
            entry["code"] = council.code
        github = CommentedSeq(council.github)
        github.fa.set_flow_style()
        entry["github"] = github
        for key in ("type", "nation", "website"):
            if getattr(council, key) is not None:
                entry[key] = getattr(council, key)
        entries.append(entry)
    else:
        entry = entries[position]
        github = entry["github"]
        if isinstance(github, str):
            github = CommentedSeq([github])
            github.fa.set_flow_style()
            entry["github"] = github
        github.extend(council.github)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


# --- writing -------------------------------------------------------------------------------------


def _replace_validated(path: Path, text: str, expected: list[tuple]) -> None:
    """Write `text` beside `path`, check it reads back as `expected`, then swap it in atomically."""

    def reads_back_as_expected(written: Path) -> None:
        try:
            councils = load_councils(written)
        except ConfigError as exc:
            raise ConfigError(dataclasses.replace(p, path=path) for p in exc.problems) from None
        if [_facts(c) for c in councils] != expected:
            raise OrgsFileError(f"the edited {path} does not read back as intended; left it unchanged")

    write_atomically(path, text, check=reads_back_as_expected)
