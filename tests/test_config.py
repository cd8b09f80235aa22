"""config/orgs.yaml: loading, validation (with line numbers) and comment-preserving edits."""

from __future__ import annotations

import json
import os
import re
import stat
import textwrap
from pathlib import Path

import pytest

from councilcode import orgs_file
from councilcode.config import (
    COUNCIL_KEYS,
    ConfigError,
    ConfigProblem,
    handle_index,
    is_valid_login,
    load_councils,
    suggest,
)
from councilcode.orgs_file import DuplicateHandleError, OrgsFileError, add_council
from councilcode.records import COUNCIL_TYPES, NATIONS, Council
from councilcode.register import load_register

REPO = Path(__file__).resolve().parents[1]
REAL_CONFIG = REPO / "config" / "orgs.yaml"
CORPUS_ORGS = Path("/work/shared/corpus/uk-councils/orgs.json")
MORE_HANDLES = Path("/work/shared/registers/more-council-handles.json")


@pytest.fixture(scope="module")
def real_councils() -> list[Council]:
    return load_councils(REAL_CONFIG)


def write(tmp_path: Path, text: str, name: str = "orgs.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ConfigError) as caught:
        load_councils(path)
    return [(p.line, p.message) for p in caught.value.problems]


def only_problem(path: Path) -> tuple[int, str]:
    found = problems_of(path)
    assert len(found) == 1, found
    return found[0]


# --- the real config ----------------------------------------------------------------------------


def test_real_config_loads_without_problems(real_councils):
    councils = real_councils
    assert len(councils) > 40
    names = [c.name for c in councils]
    assert len(names) == len(set(names))
    assert all(c.line > 0 for c in councils)


def test_real_config_has_one_entry_per_corpus_council(real_councils):
    if not CORPUS_ORGS.exists():
        pytest.skip("shared corpus not present")
    corpus = json.loads(CORPUS_ORGS.read_text(encoding="utf-8"))
    index = handle_index(real_councils)

    known = [o for o in corpus if o["council_name"]]
    # Beyond the corpus, only handles from the public listing of more council handles, each under the
    # council the listing names (by its register code).
    assert {o["org"].lower() for o in known} <= set(index)
    if MORE_HANDLES.exists():
        listed = {h["handle"].lower(): h for h in json.loads(MORE_HANDLES.read_text(encoding="utf-8"))["handles"]}
        for handle in set(index) - {o["org"].lower() for o in known}:
            assert handle in listed, handle
            assert index[handle].code == listed[handle]["register_code"], handle
    assert "hfdscouncil" not in index

    # The corpus adds a note in brackets to some names ("Trafford Council (Trafford Data Lab)" for
    # the council's data lab, "Trafford Council" for its own handle): the council is the name before it.
    def council_of(org: dict) -> str:
        return re.sub(r"\s*\([^()]*\)$", "", org["council_name"])

    # Every handle of one corpus council lands in the same entry, and different councils in different ones.
    by_name: dict[str, set[str]] = {}
    for org in known:
        by_name.setdefault(council_of(org), set()).add(index[org["org"].lower()].name)
    assert all(len(entries) == 1 for entries in by_name.values())
    assert len({next(iter(e)) for e in by_name.values()}) == len(by_name)

    # A council's type is the one the corpus gives any of its handles (it leaves some handles'
    # type open); where it gives none, the register's (for a council with a code), else none.
    corpus_types: dict[str, set[str]] = {}
    for org in known:
        types = corpus_types.setdefault(council_of(org), set())
        if org["council_type"] is not None:
            types.add(org["council_type"])
    assert all(len(types) <= 1 for types in corpus_types.values()), corpus_types
    type_map = {
        "London borough": "london-borough",
        "metropolitan borough": "metropolitan-borough",
        "Scottish council": "unitary",
        "fire & rescue": "fire-and-rescue",
        "multi-council collaboration": "collaboration",
        "local-government network": "other",
        None: None,
    }
    for org in known:
        council = index[org["org"].lower()]
        corpus_type = next(iter(corpus_types[council_of(org)]), None)
        if corpus_type is None and council.code:
            assert council.type == load_register().get(council.code).council_type, org["org"]
            continue
        if org["org"] == "NorthYorkshireCountyCouncil":  # the county council became the unitary North Yorkshire
            assert (council.code, council.type) == ("NYE", "unitary")
            continue
        assert council.type == type_map.get(corpus_type, corpus_type), org["org"]
        if corpus_type == "Scottish council":
            assert council.nation == "Scotland"


@pytest.mark.parametrize(
    ("name", "handles"),
    [
        ("Leeds City Council", {"LeedsCityCouncil", "Leeds-City-Council"}),
        ("Devon County Council", {"devoncc", "DevonCountyCouncil"}),
        ("Renfrewshire Council", {"renfrewshire-council", "RenfrewshireCouncil"}),
    ],
)
def test_real_config_two_handle_councils(real_councils, name, handles):
    councils = {c.name: c for c in real_councils}
    assert set(councils[name].github) == handles


def test_real_config_uses_only_known_types_and_nations(real_councils):
    for council in real_councils:
        assert council.type in (*COUNCIL_TYPES, None)
        assert council.nation in (*NATIONS, None)
        assert council.website is None or council.website.startswith("https://")


# --- valid input --------------------------------------------------------------------------------


def test_minimal_and_full_entries(tmp_path):
    path = write(
        tmp_path,
        """\
        # comment
        councils:
          - name: Foo Council
            github: FooOrg
          - name: Bar Council
            github:
              - bar-one
              - BarTwo
            type: district
            nation: Wales
            website: https://www.bar.gov.uk
        """,
    )
    foo, bar = load_councils(path)
    assert foo == Council(name="Foo Council", github=("FooOrg",), line=3)
    assert bar == Council(
        name="Bar Council",
        github=("bar-one", "BarTwo"),
        type="district",
        nation="Wales",
        website="https://www.bar.gov.uk",
        line=5,
    )


def test_empty_optional_values_count_as_absent(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    github: [foo]\n    type:\n    website: ~\n")
    (council,) = load_councils(path)
    assert council.type is None and council.website is None


def test_empty_councils_list_is_allowed(tmp_path):
    assert load_councils(write(tmp_path, "councils: []\n")) == []


def test_handle_index_is_case_insensitive(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    github: [FooOrg, foo-two]\n")
    index = handle_index(load_councils(path))
    assert set(index) == {"fooorg", "foo-two"}
    assert index["fooorg"].name == "Foo"


@pytest.mark.parametrize("handle", ["a", "A1", "foo-bar", "a-b-c", "1234", "x" * 39])
def test_valid_logins(handle):
    assert is_valid_login(handle)


@pytest.mark.parametrize("handle", ["", "-foo", "foo-", "foo--bar", "x" * 40, "foo bar", "foo_bar", "föo"])
def test_invalid_logins(handle):
    assert not is_valid_login(handle)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("London borough", "london-borough"),
        ("metropolitan borough", "metropolitan-borough"),
        ("fire & rescue", "fire-and-rescue"),
        ("Scottish council", "unitary"),
        ("multi-council collaboration", "collaboration"),
        ("Unitry", "unitary"),
        ("zzzz", None),
    ],
)
def test_suggest_type(given, expected):
    assert suggest(given, COUNCIL_TYPES, {"scottish-council": "unitary"}) == expected


# --- problems, each with its line -----------------------------------------------------------------


def test_problem_str_is_file_line_message(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Foo Council
            github: [foo]
            webiste: https://foo.gov.uk
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_councils(path)
    (problem,) = caught.value.problems
    expected = ", ".join(COUNCIL_KEYS)
    assert str(problem) == f"{path}:4: unknown key 'webiste' in council 'Foo Council' (expected one of: {expected})"
    assert str(caught.value) == str(problem)


def test_bad_yaml_reports_the_parser_line(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    github: [foo\n  - name: Bar\n")
    line, message = only_problem(path)
    assert line == 4
    assert message.startswith("invalid YAML: ")
    assert "expected ',' or ']'" in message


def test_duplicate_yaml_key_is_reported(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    name: Bar\n    github: [foo]\n")
    line, message = only_problem(path)
    assert line == 3
    assert "duplicate key" in message


def test_missing_file(tmp_path):
    assert only_problem(tmp_path / "nope.yaml") == (1, "file not found")


def test_unreadable_file(tmp_path):
    assert only_problem(tmp_path)[1].startswith("cannot read file")  # a directory cannot be read


def test_not_utf8(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_bytes(b"councils:\n  - name: Caf\xe9\n")
    assert only_problem(path) == (2, "not valid UTF-8 text")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    line, message = only_problem(write(tmp_path, text))
    assert line == 1 and "empty" in message


@pytest.mark.parametrize("text", ["- name: Foo\n", "just text\n", "42\n"])
def test_top_level_not_a_mapping(tmp_path, text):
    line, message = only_problem(write(tmp_path, text))
    assert line == 1 and "expected a mapping with a 'councils' list" in message


def test_missing_councils_key(tmp_path):
    # Both the misspelt key and the missing list are reported.
    assert problems_of(write(tmp_path, "# header\ncouncil:\n  - name: Foo\n")) == [
        (2, "unknown top-level key 'council' (expected: councils)"),
        (2, "missing 'councils' list at the top level"),
    ]


def test_councils_not_a_list(tmp_path):
    path = write(tmp_path, "# header\ncouncils:\n  name: Foo\n")
    assert only_problem(path) == (2, "'councils' is a mapping; expected a list of councils")
    path = write(tmp_path, "councils:\n")
    assert only_problem(path) == (1, "'councils' is empty; expected a list of councils")


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    github: [foo]\nversion: 2\n")
    assert only_problem(path) == (4, "unknown top-level key 'version' (expected: councils)")


def test_entry_not_a_mapping(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    github: [foo]\n  - Bar Council\n  - [bar]\n")
    assert problems_of(path) == [
        (4, "council #2 is text; expected a mapping with name and github"),
        (5, "council #3 is a list; expected a mapping with name and github"),
    ]


def test_missing_empty_and_wrongly_typed_names(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - github: [one]
          - name:
            github: [two]
          - name: "  "
            github: [three]
          - name: 42
            github: [four]
        """,
    )
    assert problems_of(path) == [
        (2, "council #1 has no 'name'"),
        (3, "'name' of council #2 is empty; expected the council's name"),
        (5, "'name' of council #3 is empty; expected the council's name"),
        (7, "'name' of council #4 is a number; expected the council's name"),
    ]


def test_missing_empty_and_wrongly_typed_github(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: One
          - name: Two
            github: []
          - name: Three
            github:
          - name: Four
            github: ""
          - name: Five
            github: {org: five}
        """,
    )
    assert problems_of(path) == [
        (2, "council 'One' has no 'github' handles"),
        (4, "'github' of council 'Two' is empty; expected at least one handle"),
        (6, "'github' of council 'Three' is empty; expected a list of handles"),
        (8, "'github' of council 'Four' is empty; expected at least one handle"),
        (10, "'github' of council 'Five' is a mapping; expected a list of handles"),
    ]


def test_invalid_handles_are_reported_on_their_own_lines(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Foo
            github:
              - good-one
              - -leading
              - trailing-
              - double--hyphen
              - under_score
              - 1234
        """,
    )
    found = problems_of(path)
    assert [line for line, _ in found] == [5, 6, 7, 8, 9]
    assert "'-leading' in council 'Foo' is not a valid GitHub handle" in found[0][1]
    assert found[4][1] == "GitHub handle in council 'Foo' is a number; quote it: '1234'"


def test_handle_longer_than_39_characters(tmp_path):
    path = write(tmp_path, f"councils:\n  - name: Foo\n    github: [{'a' * 40}]\n")
    line, message = only_problem(path)
    assert line == 3 and "not a valid GitHub handle" in message


def test_duplicate_handle_is_case_insensitive_and_names_the_earlier_line(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Foo
            github: [FooOrg]
          - name: Bar
            github:
              - bar
              - fooorg
        """,
    )
    assert only_problem(path) == (
        7,
        "duplicate GitHub handle 'fooorg' in council 'Bar' "
        "(already listed at line 3 for council 'Foo'; handles ignore case)",
    )


def test_duplicate_council_name(tmp_path):
    path = write(
        tmp_path,
        "councils:\n  - name: Foo Council\n    github: [a]\n  - name: foo  council\n    github: [b]\n",
    )
    assert only_problem(path) == (4, "duplicate council name 'foo  council' (already at line 2)")


def test_unknown_type_and_nation_list_allowed_values_and_suggest(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Foo
            github: [foo]
            type: London borough
            nation: Scotand
          - name: Bar
            github: [bar]
            type: parish
        """,
    )
    found = problems_of(path)
    assert [line for line, _ in found] == [4, 5, 8]
    assert found[0][1] == (
        "unknown type 'London borough' in council 'Foo' (allowed: " + ", ".join(COUNCIL_TYPES) + "); "
        "did you mean 'london-borough'?"
    )
    assert found[1][1] == (
        "unknown nation 'Scotand' in council 'Foo' (allowed: England, Scotland, Wales, Northern Ireland); "
        "did you mean 'Scotland'?"
    )
    assert "did you mean" not in found[2][1]


@pytest.mark.parametrize("website", ["www.foo.gov.uk", "ftp://foo.gov.uk", "https://", "https://foo .gov.uk"])
def test_website_must_be_http_url(tmp_path, website):
    path = write(tmp_path, f"councils:\n  - name: Foo\n    github: [foo]\n    website: '{website}'\n")
    assert only_problem(path) == (4, f"website {website!r} in council 'Foo' is not an http(s) URL")


def test_wrong_value_types_for_optional_fields(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Foo
            github: [foo]
            type: 3
            nation: [England]
            website: true
        """,
    )
    assert problems_of(path) == [
        (4, "'type' of council 'Foo' is a number; expected text"),
        (5, "'nation' of council 'Foo' is a list; expected text"),
        (6, "'website' of council 'Foo' is a true/false value; expected text"),
    ]


def test_every_problem_is_reported_sorted_by_line(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Foo
            github: [foo, -bad]
            colour: blue
          - name: Foo
            github: [FOO]
            nation: Narnia
          - 7
        extra: yes
        """,
    )
    found = problems_of(path)
    assert [line for line, _ in found] == [3, 4, 5, 6, 7, 8, 9]
    with pytest.raises(ConfigError) as caught:
        load_councils(path)
    assert all(isinstance(p, ConfigProblem) and p.path == path for p in caught.value.problems)
    assert str(caught.value).count("\n") == 6


def test_council_line_is_the_entry_line(tmp_path):
    path = write(
        tmp_path, "councils:\n\n  # Foo\n  - name: Foo\n    github: [foo]\n\n  - github: [bar]\n    name: Bar\n"
    )
    assert [c.line for c in load_councils(path)] == [4, 7]


# --- add_council ----------------------------------------------------------------------------------


@pytest.fixture
def real_copy(tmp_path) -> Path:
    path = tmp_path / "orgs.yaml"
    path.write_bytes(REAL_CONFIG.read_bytes())
    return path


def test_add_council_appends_and_keeps_everything_else(real_copy, real_councils):
    before = real_copy.read_bytes()
    add_council(
        real_copy,
        Council(name="Test: Borough & District", github=("test-org",), type="district", nation="Wales"),
    )
    after = real_copy.read_bytes()
    assert after.startswith(before)  # nothing above the new entry moved by a byte
    added = after[len(before) :].decode()
    assert (
        added
        == '\n  - name: "Test: Borough & District"\n    github: [test-org]\n    type: district\n    nation: Wales\n'
    )
    councils = load_councils(real_copy)
    assert councils[-1] == Council(
        name="Test: Borough & District",
        github=("test-org",),
        type="district",
        nation="Wales",
        line=councils[-1].line,
    )
    assert len(councils) == len(real_councils) + 1


def test_add_council_extends_an_existing_council(real_copy):
    before = real_copy.read_text().splitlines(keepends=True)
    add_council(real_copy, Council(name="leeds city council", github=("LeedsThree",)))
    after = real_copy.read_text().splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1
    assert after[changed[0]] == "    github: [LeedsCityCouncil, Leeds-City-Council, LeedsThree]\n"
    leeds = handle_index(load_councils(real_copy))["leedsthree"]
    assert leeds.github == ("LeedsCityCouncil", "Leeds-City-Council", "LeedsThree")


HAND_WRITTEN = """\
# Header comment: keep me.
councils:   # trailing comment
- name:   Alpha Council   # odd spacing
  github:   [ alpha ,alpha-two ]   # spaced flow list
- name: Beta Council
  github: 'beta'
-   name: Gamma Council
    github:
        -   gamma   # block list
    nation: Scotland
"""


@pytest.mark.parametrize(
    ("council", "expected"),
    [
        (
            Council(name="Alpha Council", github=("alpha-3",)),
            HAND_WRITTEN.replace("[ alpha ,alpha-two ]", "[ alpha ,alpha-two, alpha-3 ]"),
        ),
        (
            Council(name="Beta Council", github=("beta2",)),
            HAND_WRITTEN.replace("github: 'beta'", "github: ['beta', beta2]"),
        ),
        (
            Council(name="Gamma Council", github=("gamma2",)),
            HAND_WRITTEN.replace("# block list\n", "# block list\n        -   gamma2\n"),
        ),
        (
            Council(name="Delta Council", github=("d1", "d2"), type="unitary", website="https://d.gov.uk"),
            HAND_WRITTEN
            + "-   name: Delta Council\n    github:\n        -   d1\n        -   d2\n"
            + "    type: unitary\n    website: https://d.gov.uk\n",
        ),
    ],
)
def test_add_council_follows_hand_written_layout(tmp_path, council, expected):
    path = write(tmp_path, HAND_WRITTEN)
    add_council(path, council)
    assert path.read_text() == expected


def test_add_council_to_an_empty_list(tmp_path):
    path = write(tmp_path, "# Nothing yet.\ncouncils: []\n")
    add_council(path, Council(name="Foo", github=("foo",), nation="England"))
    text = path.read_text()
    assert text.startswith("# Nothing yet.\n")
    assert load_councils(path) == [Council(name="Foo", github=("foo",), nation="England", line=3)]


def test_add_council_to_flow_style_entries(tmp_path):
    path = write(tmp_path, "councils:\n  - {name: Foo, github: foo}  # keep\n")
    add_council(path, Council(name="Foo", github=("foo2",)))
    add_council(path, Council(name="Bar", github=("bar",)))
    assert "# keep" in path.read_text()
    assert [(c.name, c.github) for c in load_councils(path)] == [("Foo", ("foo", "foo2")), ("Bar", ("bar",))]


def test_add_council_falls_back_to_a_round_trip_when_a_splice_would_be_wrong(tmp_path):
    # The ']' inside the comment would fool a text splice; the read-back check catches that.
    path = write(
        tmp_path,
        "# top\ncouncils:\n  - name: Foo\n    github: [foo,  # the ] main one\n             foo2]\n"
        "  - name: Bar\n    github: [bar]\n",
    )
    add_council(path, Council(name="Foo", github=("foo3",)))
    assert path.read_text().startswith("# top\ncouncils:\n")
    assert [c.github for c in load_councils(path)] == [("foo", "foo2", "foo3"), ("bar",)]


def test_add_council_keeps_crlf_line_endings(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_bytes(b"councils:\r\n  - name: Foo\r\n    github: [foo]\r\n")
    add_council(path, Council(name="Bar", github=("bar",)))
    assert path.read_bytes() == (
        b"councils:\r\n  - name: Foo\r\n    github: [foo]\r\n  - name: Bar\r\n    github: [bar]\r\n"
    )


def test_add_council_without_trailing_newline(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_text("councils:\n  - name: Foo\n    github: [foo]")
    add_council(path, Council(name="Bar", github=("bar",)))
    assert path.read_text() == "councils:\n  - name: Foo\n    github: [foo]\n  - name: Bar\n    github: [bar]\n"


@pytest.mark.parametrize("handle", ["lbcamden", "LBCAMDEN", "LBCamden"])
def test_add_council_refuses_a_duplicate_handle(real_copy, handle):
    before = real_copy.read_bytes()
    with pytest.raises(DuplicateHandleError) as caught:
        add_council(real_copy, Council(name="Another Council", github=(handle,)))
    assert "already listed for council 'London Borough of Camden'" in str(caught.value)
    assert caught.value.council.name == "London Borough of Camden"
    assert real_copy.read_bytes() == before


def test_add_council_refuses_conflicting_details(real_copy):
    before = real_copy.read_bytes()
    with pytest.raises(OrgsFileError, match="nation 'Wales' \\(the file has 'England'\\)"):
        add_council(real_copy, Council(name="Leeds City Council", github=("leeds3",), nation="Wales"))
    assert real_copy.read_bytes() == before


@pytest.mark.parametrize(
    "council",
    [
        Council(name="", github=("foo",)),
        Council(name="Foo", github=()),
        Council(name="Foo", github=("-foo",)),
        Council(name="Foo", github=("foo", "FOO")),
        Council(name="Foo", github=("foo",), type="London borough"),
        Council(name="Foo", github=("foo",), nation="england"),
        Council(name="Foo", github=("foo",), website="foo.gov.uk"),
    ],
)
def test_add_council_refuses_an_invalid_council(real_copy, council):
    before = real_copy.read_bytes()
    with pytest.raises(OrgsFileError):
        add_council(real_copy, council)
    assert real_copy.read_bytes() == before


def test_add_council_refuses_to_edit_an_invalid_file(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Foo\n    github: [foo]\n    typo: x\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError) as caught:
        add_council(path, Council(name="Bar", github=("bar",)))
    assert caught.value.problems[0].line == 4
    assert path.read_bytes() == before


def test_add_council_to_a_missing_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        add_council(tmp_path / "missing.yaml", Council(name="Bar", github=("bar",)))
    assert caught.value.problems[0].message == "file not found"


def temp_files(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name != "orgs.yaml"]


def test_failed_validation_leaves_the_original_intact(real_copy, monkeypatch):
    before = real_copy.read_bytes()
    validated = []

    def reject(path: Path):
        validated.append(path)
        raise ConfigError([ConfigProblem(path, 3, "simulated problem")])

    monkeypatch.setattr(orgs_file, "load_councils", reject)
    with pytest.raises(ConfigError) as caught:
        add_council(real_copy, Council(name="Bar", github=("bar",)))
    # The temporary file in the same directory was what got validated; problems name the real file.
    assert validated and validated[0].parent == real_copy.parent and validated[0] != real_copy
    assert caught.value.problems[0].path == real_copy
    assert real_copy.read_bytes() == before
    assert temp_files(real_copy.parent) == []


def test_crash_while_replacing_leaves_the_original_intact(real_copy, monkeypatch):
    before = real_copy.read_bytes()

    def crash(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk on fire"):
        add_council(real_copy, Council(name="Bar", github=("bar",)))
    assert real_copy.read_bytes() == before
    assert temp_files(real_copy.parent) == []


def test_add_council_keeps_file_permissions(real_copy):
    real_copy.chmod(0o640)
    add_council(real_copy, Council(name="Bar", github=("bar",)))
    assert stat.S_IMODE(real_copy.stat().st_mode) == 0o640


# --- register codes -----------------------------------------------------------------------------


def test_a_code_brings_name_type_and_nation_from_the_register(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - code: BST
            github: [bristol-org]
          - name: Trafford Council
            code: TRF
            github: [trafford-org]
            website: https://www.trafford.gov.uk
        """,
    )
    bristol, trafford = load_councils(path)
    assert (bristol.name, bristol.code, bristol.type, bristol.nation) == (
        "Bristol City Council",
        "BST",
        "unitary",
        "England",
    )
    # A name of the entry's own is kept (the register's short name "Trafford" fits it).
    assert (trafford.name, trafford.type) == ("Trafford Council", "metropolitan-borough")


def test_bad_codes_are_named_with_their_line(tmp_path):
    path = write(
        tmp_path,
        """\
        councils:
          - name: Bristol City Council
            code: BSR
            github: [one]
          - name: Leeds City Council
            code: LDS
            github: [two]
          - name: Leeds City Council (data)
            code: LDS
            github: [three]
          - name: Northamptonshire County Council
            code: NTH
            github: [four]
          - name: Leeds Hackspace
            code: BST
            github: [five]
          - name: Kent County Council
            code: KEN
            github: [six]
            nation: Wales
            type: district
          - name: Bad
            code: 42
            github: [seven]
        """,
    )
    assert problems_of(path) == [
        (
            3,
            "unknown council code 'BSR' in council 'Bristol City Council' (not in the register of UK local "
            "authorities); did you mean 'BST' (Bristol City Council)?",
        ),
        (
            9,
            "council code 'LDS' in council 'Leeds City Council (data)' is already used at line 6 by council "
            "'Leeds City Council' (one entry per council: list all its GitHub handles there)",
        ),
        (
            12,
            "council code 'NTH' in council 'Northamptonshire County Council' is Northamptonshire County Council, "
            "which no longer exists (ended 2021-04-01); it was replaced by North Northamptonshire Council (NNT) "
            "and West Northamptonshire Council (WNT): use 'NNT' or 'WNT' instead",
        ),
        (
            15,
            "council code 'BST' in council 'Leeds Hackspace' is Bristol City Council in the register, "
            "not 'Leeds Hackspace'",
        ),
        (
            20,
            "nation 'Wales' of council 'Kent County Council' is not the register's: Kent County Council (KEN) "
            "is in England",
        ),
        (
            21,
            "type 'district' of council 'Kent County Council' is not the register's: Kent County Council (KEN) is a "
            "county ('county')",
        ),
        (23, "'code' of council 'Bad' is a number; expected a council code from the register, e.g. BST"),
    ]


def test_a_name_that_is_another_councils_suggests_its_code(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Leeds City Council\n    code: BST\n    github: [x]\n")
    line, message = only_problem(path)
    assert line == 3
    assert message.endswith("is Bristol City Council in the register, not 'Leeds City Council'; did you mean 'LDS'?")


def test_a_lower_case_code_is_suggested_in_capitals(tmp_path):
    path = write(tmp_path, "councils:\n  - name: Somewhere\n    code: kEn\n    github: [x]\n")
    assert only_problem(path)[1].endswith("did you mean 'KEN' (Kent County Council)?")


def test_bodies_that_are_not_councils_need_no_code(tmp_path):
    path = write(
        tmp_path, "councils:\n  - name: LocalGov Drupal\n    github: [localgovdrupal]\n    type: collaboration\n"
    )
    (council,) = load_councils(path)
    assert council.code is None and council.type == "collaboration" and council.nation is None


def test_every_current_council_in_the_real_config_has_its_code(real_councils):
    register = load_register()
    codes = [c.code for c in real_councils if c.code]
    assert len(codes) == len(set(codes))
    for council in real_councils:
        if council.code is None:
            # Only bodies that are not current councils go without: fire services, collaborations, networks,
            # a former council; and none of them has a current council's name.
            assert register.by_name(council.name) is None, council.name
            assert council.type in ("fire-and-rescue", "collaboration", "other", "county", None), council.name
        else:
            authority = register.get(council.code)
            assert authority.current and register.name_fits(authority, council.name), council.name
