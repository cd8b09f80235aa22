"""The register and the coverage it gives: every current UK council, with the handles we know, the same in
`orgs coverage`, /councils, /api/councils and the home and about pages; `orgs check` on codes."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from councilcode.catalogue import Catalogue
from councilcode.cli.orgs import orgs
from councilcode.config import load_councils
from councilcode.coverage import coverage
from councilcode.records import Council
from councilcode.register import load_register
from tests.helpers import config_text
from tests.web_fixtures import COUNCILS

REPO = Path(__file__).resolve().parents[1]
SHARED_REGISTER = REPO.parent / "shared" / "registers" / "uk-local-authorities.csv"


def run(*args: str):
    return CliRunner().invoke(orgs, list(args), env={"COLUMNS": "200"})


def test_the_shipped_register():
    register = load_register()
    current = register.current()
    assert len(register) == 470
    nations = {n: sum(a.nation == n for a in current) for n in ("England", "Scotland", "Wales", "Northern Ireland")}
    assert nations == {"England": 332, "Scotland": 32, "Wales": 22, "Northern Ireland": 11}
    assert len(current) == sum(nations.values())
    bristol = register.get("BST")
    assert (bristol.name, bristol.council_type, bristol.domain) == ("Bristol City Council", "unitary", "bristol.gov.uk")
    assert register.get("NSM").name == "North Somerset Council"  # the register's double space tidied
    # Cumbria's replacements, and a chain: Aylesbury Vale -> Buckinghamshire Council.
    assert [a.code for a in register.successors(register.get("CMA"))] == ["CBD", "WAF"]
    assert [a.code for a in register.successors(register.get("AYL"))] == ["BUC"]
    assert register.by_name("Western Isles Council").code == "ELS"
    assert sum(1 for a in current if a.website) == 377


def test_the_shipped_register_is_the_shared_one_unchanged():
    if not SHARED_REGISTER.exists():
        pytest.skip("the shared registers are not beside the checkout")
    shipped = REPO / "councilcode" / "registers" / "uk-local-authorities.csv"
    assert shipped.read_bytes() == SHARED_REGISTER.read_bytes()


def test_check_rejects_a_bad_code_with_file_and_line(tmp_path: Path):
    path = tmp_path / "orgs.yaml"
    path.write_text("councils:\n  - name: Bristol City Council\n    code: BTS\n    github: [bristol]\n")
    result = run("check", "--config", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:3: unknown council code 'BTS' in council 'Bristol City Council' (not in the register of UK local "
        "authorities); did you mean 'BST' (Bristol City Council)?",
        "1 problem found",
    ]


def test_coverage_of_the_real_config():
    result = run("coverage", "--json", "--config", str(REPO / "config" / "orgs.yaml"), "--data-dir", "/nonexistent")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    councils = load_councils(REPO / "config" / "orgs.yaml")
    with_code = {c.code for c in councils if c.code}
    assert body["total"] == len(load_register().current()) == len(body["councils"])
    assert body["publishing"] == len(with_code)
    row = next(c for c in body["councils"] if c["code"] == "CMD")
    assert row == {
        "code": "CMD",
        "name": "London Borough of Camden",
        "nation": "England",
        "type": "london-borough",
        "type_name": "London borough",
        "handles": ["LBCamden", "CamdenCouncil"],
        "repositories": None,  # no catalogue: not crawled
    }
    table = run("coverage", "--config", str(REPO / "config" / "orgs.yaml"), "--data-dir", "/nonexistent")
    assert table.exit_code == 0
    assert f"{len(with_code)} of {body['total']} councils publish code we know of" in table.stdout
    assert "mySociety" in table.stdout


def test_councils_page_lists_every_current_council(client: TestClient):
    html = client.get("/councils").text
    register = load_register()
    found = coverage(COUNCILS)
    assert f'<p class="lede">{found.publishing} of {len(register.current())} councils publish code' in html
    for authority in register.current():
        assert f">{authority.code}</abbr>" in html, authority.code
    missing = sum(1 for row in found.councils if not row.handles)
    assert html.count("No GitHub organisation known.") == missing
    assert 'href="/about#add-your-council">How to add one</a>' in html
    assert "councilcode orgs add HANDLE --code BST" in html
    headings = re.findall(r'<h2 id="([a-z-]+)">', html)
    assert headings == ["england", "scotland", "wales", "northern-ireland"]
    assert "<h3>Non-metropolitan district (164)</h3>" in html
    assert "mySociety" in html and "CC BY 4.0" in html


def test_home_and_about_say_how_many_councils_publish_code(client: TestClient):
    sentence = coverage(COUNCILS).sentence
    assert sentence.endswith(f"of {len(load_register().current())} councils publish code we know of")
    assert sentence in client.get("/").text
    about = client.get("/about").text
    assert sentence in about
    assert "mySociety" in about and "Creative Commons Attribution 4.0 (CC BY 4.0)" in about


def test_api_councils_keeps_its_fields_and_gives_the_same_coverage_as_the_command(
    client: TestClient, web_data_dir, tmp_path: Path
):
    body = client.get("/api/councils").json()
    assert body["total"] == len(COUNCILS) and len(body["councils"]) == len(COUNCILS)
    assert {"name", "slug", "type", "nation", "website", "github", "repositories", "url", "handles", "code"} <= set(
        body["councils"][0]
    )
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({c.name: list(c.github) for c in COUNCILS}))
    result = run("coverage", "--json", "--config", str(config), "--data-dir", str(web_data_dir.root))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == body["coverage"]
    hackney = next(c for c in body["coverage"]["councils"] if c["code"] == "HCK")
    assert hackney["handles"] == ["LBHackney-IT"] and hackney["repositories"] == 3
    assert body["register"]["licence"] == "CC BY 4.0"


def test_a_catalogue_of_schema_1_gains_codes(tmp_path: Path):
    path = tmp_path / "catalogue.sqlite"
    bristol = Council("Bristol City Council", ("BristolCityCouncil",), "unitary", "England", None, code="BST")
    with Catalogue(path) as catalogue:
        catalogue.sync_councils([bristol])
    # As councilcode before codes left it: no code column, schema 1.
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE councils DROP COLUMN code")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with Catalogue(path, readonly=True) as old:  # the viewer reads it as it is
        (council,) = old.councils()
        assert council.code is None
        assert coverage(old.councils()).publishing == 1  # matched by its register name meanwhile
    with Catalogue(path) as catalogue:  # the next crawl migrates it and stores the code
        catalogue.sync_councils([bristol])
        assert catalogue.councils()[0].code == "BST"
        assert catalogue.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "3"
