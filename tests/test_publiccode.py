"""publiccode.yml parsing: every version in use, and every broken file reported with its problem named."""

from __future__ import annotations

import pytest

from councilcode.publiccode import MAX_BYTES, parse_publiccode
from tests.web_fixtures import BROKEN_PUBLICCODE, VALID_PUBLICCODE

# Standard 0.2, as the Italian catalogue's older files are: Italian only, categories present.
ITALIAN_02 = """publiccodeYmlVersion: '0.2'
name: Comune Facile
url: https://github.com/comune/facile
platforms:
  - web
  - linux
categories:
  - document-management
softwareType: standalone/web
developmentStatus: beta
description:
  it:
    shortDescription: Gestione documentale per i comuni
    longDescription: Un lungo testo.
legal:
  license: EUPL-1.2
maintenance:
  type: contract
  contractors:
    - name: Ditta Srl
      until: '2027-01-01'
localisation:
  localisationReady: false
  availableLanguages: [it]
"""


def test_a_0_4_file_gives_every_field_the_page_shows() -> None:
    parsed = parse_publiccode(VALID_PUBLICCODE)
    assert parsed is not None and parsed.valid and parsed.problems == []
    assert parsed.to_api() == {
        "valid": True,
        "problems": [],
        "name": "GIFramework Maps",
        "description": "Web mapping framework for council GIS",
        "software_type": "standalone/web",
        "development_status": "stable",
        "maintenance_type": "internal",
        "contacts": ["GIS team <gis@dorsetcouncil.gov.uk>"],
        "categories": ["geographic-information-systems"],
        "platforms": ["web"],
        "dependencies": ["PostgreSQL 14"],
        "version": "0.4",
    }


def test_an_older_version_in_another_language_is_read_too() -> None:
    parsed = parse_publiccode(ITALIAN_02)
    assert parsed is not None and parsed.valid
    assert (parsed.description, parsed.maintenance_type, parsed.platforms) == (
        "Gestione documentale per i comuni",
        "contract",
        ["web", "linux"],
    )


def test_yaml_1_2_reads_no_as_text_not_false() -> None:
    # YAML 1.1 would make `no` a boolean; 1.2 (ruamel.yaml's default) keeps it a word.
    parsed = parse_publiccode(VALID_PUBLICCODE.replace("platforms: [web]", "platforms: [no]"))
    assert parsed is not None and parsed.platforms == ["no"]


def test_missing_required_keys_are_each_named() -> None:
    parsed = parse_publiccode(BROKEN_PUBLICCODE)
    assert parsed is not None and not parsed.valid
    assert parsed.name == "<script>alert(1)</script> budget"  # kept as text; the page escapes it
    for key in ("url", "developmentStatus", "description", "platforms", "maintenance", "legal"):
        assert f"required key '{key}' is missing" in parsed.problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "not a YAML mapping"),
        ("", "not a YAML mapping"),
        ("a: &x 1\nb: *y\n", "not valid YAML"),
        ("name: x\nname: y\n", "not valid YAML"),  # a duplicate key
        ("x" * (MAX_BYTES + 1), "larger than"),
        (VALID_PUBLICCODE.replace("  type: internal\n", ""), "'maintenance.type' is missing"),
        (VALID_PUBLICCODE.replace("  license: MIT\n", "  mainCopyrightOwner: X\n"), "'legal.license' is missing"),
        (
            VALID_PUBLICCODE.replace("    shortDescription:", "    notes:").replace("    longDescription:", "    x:"),
            "no language with a short or long description",
        ),  # fmt: skip
    ],
)
def test_a_broken_file_is_a_named_problem_never_an_exception(text: str, problem: str) -> None:
    parsed = parse_publiccode(text)
    assert parsed is not None and not parsed.valid
    assert any(problem in p for p in parsed.problems), parsed.problems


def test_no_file_is_none() -> None:
    assert parse_publiccode(None) is None
