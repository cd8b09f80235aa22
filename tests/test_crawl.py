"""The crawler against the GitHub API emulator: listings, READMEs, licences, failures, the CLI."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from councilcode.catalogue import Catalogue
from councilcode.cli import cli
from councilcode.cli.jobs import run_crawl
from tests.github_emulator import FakeRepo, GitHubEmulator, load_corpus
from tests.helpers import closed_port_url, config_text

OGL3_POINTER = b"This code is released under the [Open Government Licence v3](http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).\n"


def stored(settings) -> dict[str, object]:
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        return {r.full_name: r for r in catalogue.repositories()}


def test_org_with_more_than_100_repositories_is_listed_through_link_pages(emulator, crawl_settings):
    emulator.add_account("BigCouncil")
    for i in range(250):
        emulator.add_repo("BigCouncil", FakeRepo(name=f"repo-{i:03}", readme=f"# Repo {i}\n".encode()))
    settings = crawl_settings({"Big Council": ["BigCouncil"]})

    summary = run_crawl(settings)

    assert summary.exit_code == 0
    repos = stored(settings)
    assert len(repos) == 250
    assert repos["BigCouncil/repo-042"].readme == "# Repo 42\n"
    listing = [path for method, path, status in emulator.stats.requests if "/repos?" in path]
    assert len(listing) == 3  # pages of 100, 100 and 50, reached by following rel="next"


def test_user_account_is_crawled_after_the_organisation_lookup_404s(emulator, crawl_settings):
    emulator.add_account("jo-at-the-council", kind="User")
    emulator.add_repo("jo-at-the-council", FakeRepo(name="bins", readme=b"Bin days"))
    settings = crawl_settings({"Tiny Council": ["jo-at-the-council"]})

    assert run_crawl(settings).exit_code == 0

    assert list(stored(settings)) == ["jo-at-the-council/bins"]
    paths = [path for _, path, _ in emulator.stats.requests if path != "/rate_limit"]
    assert paths[0].startswith("/orgs/jo-at-the-council") and paths[1].startswith("/users/jo-at-the-council")


def test_repository_metadata_is_kept_with_the_councils_name(emulator, crawl_settings):
    emulator.add_account("ExampleCC")
    emulator.add_repo(
        "ExampleCC",
        FakeRepo(
            name="bin-day-finder",
            description="Find your bin collection day",
            homepage="https://example.gov.uk/bins",
            language="Python",
            topics=["bins", "waste-collection"],
            stars=12,
            forks=3,
            archived=True,
            fork=False,
            is_template=True,
            default_branch="develop",
            readme=b"# Bin day finder\n",
            license_spdx="MIT",
            license_file=b"MIT License\n",
        ),
    )
    settings = crawl_settings({"Example County Council": ["ExampleCC"]})
    run_crawl(settings)

    repo = stored(settings)["ExampleCC/bin-day-finder"]
    assert repo.council == "Example County Council"
    assert (repo.owner, repo.name, repo.language, repo.topics) == (
        "ExampleCC",
        "bin-day-finder",
        "Python",
        ["bins", "waste-collection"],
    )
    assert (repo.stars, repo.forks, repo.archived, repo.fork, repo.is_template) == (12, 3, True, False, True)
    assert repo.description == "Find your bin collection day"
    assert repo.homepage == "https://example.gov.uk/bins"
    assert repo.default_branch == "develop"
    assert repo.html_url.endswith("/ExampleCC/bin-day-finder")
    assert repo.license == "MIT"
    assert repo.id > 0 and repo.created_at and repo.pushed_at and repo.updated_at


@pytest.mark.parametrize(
    ("path", "raw", "text"),
    [
        ("readme.md", b"lower-case name\n", "lower-case name\n"),
        ("README.rdoc", b"= SAML tools\n\nRDoc here\n", "= SAML tools\n\nRDoc here\n"),
        ("README.md", "Caf\u00e9 r\u00f4le\n".encode("latin-1"), "Caf\u00e9 r\u00f4le\n"),
        ("README.md", b"\xef\xbb\xbf# With a BOM\n", "# With a BOM\n"),
        ("README.md", b"# Windows\r\nline endings\r\n", "# Windows\r\nline endings\r\n"),
        ("README.md", "\u201cquotes\u201d \u2014 \U0001f44d\n".encode(), "\u201cquotes\u201d \u2014 \U0001f44d\n"),
        ("README.md", b"\x93smart\x94 cp1252\n", "\u201csmart\u201d cp1252\n"),
        # An empty README (Lichfield-District-Council/Google-Analytics) is kept, not skipped.
        ("README", b"", ""),
    ],
)
def test_readme_names_and_encodings_are_decoded(emulator, crawl_settings, path, raw, text):
    emulator.add_account("EncCouncil")
    emulator.add_repo("EncCouncil", FakeRepo(name="r", readme=raw, readme_path=path))
    settings = crawl_settings({"Enc Council": ["EncCouncil"]})
    run_crawl(settings)

    repo = stored(settings)["EncCouncil/r"]
    assert (repo.readme, repo.readme_path) == (text, path)


def test_missing_readme_and_empty_repository_store_no_readme(emulator, crawl_settings):
    emulator.add_account("Sparse")
    emulator.add_repo("Sparse", FakeRepo(name="no-readme", readme=None))
    emulator.add_repo("Sparse", FakeRepo(name="empty", empty=True))
    settings = crawl_settings({"Sparse Council": ["Sparse"]})

    assert run_crawl(settings).exit_code == 0

    repos = stored(settings)
    assert repos["Sparse/no-readme"].readme is None
    assert repos["Sparse/empty"].readme is None and repos["Sparse/empty"].license is None


@pytest.mark.parametrize(
    ("spdx", "licence_file", "expected"),
    [
        ("MIT", b"MIT License\n...", "MIT"),
        (None, None, None),
        ("NOASSERTION", OGL3_POINTER, "OGL-UK-3.0"),
        ("NOASSERTION", b"All rights reserved. Ask us first.\n", "NOASSERTION"),
    ],
)
def test_licence_comes_from_github_or_from_reading_the_file(emulator, crawl_settings, spdx, licence_file, expected):
    emulator.add_account("LicCouncil")
    emulator.add_repo("LicCouncil", FakeRepo(name="r", readme=b"x", license_spdx=spdx, license_file=licence_file))
    settings = crawl_settings({"Lic Council": ["LicCouncil"]})
    run_crawl(settings)

    assert stored(settings)["LicCouncil/r"].license == expected
    licence_requests = [p for _, p, _ in emulator.stats.requests if p.endswith("/license")]
    assert len(licence_requests) == (1 if spdx == "NOASSERTION" else 0)


def test_a_missing_handle_is_named_and_the_others_are_saved(emulator, crawl_settings):
    emulator.add_account("RealCouncil")
    emulator.add_repo("RealCouncil", FakeRepo(name="site", readme=b"hello"))
    settings = crawl_settings({"Real Council": ["RealCouncil"], "Ghost Council": ["NoSuchHandle"]})

    summary = run_crawl(settings)

    assert summary.exit_code == 1
    assert [(o.handle, o.status) for o in summary.failed] == [("NoSuchHandle", "failed")]
    assert "no GitHub organisation or user" in (summary.failed[0].error or "")
    assert list(stored(settings)) == ["RealCouncil/site"]
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        states = {s.handle: s for s in catalogue.handle_states()}
        run = catalogue.runs(1)[0]
    assert states["NoSuchHandle"].last_status == "failed"
    assert states["RealCouncil"].last_status == "ok"
    assert (run.status, run.handles_total, run.handles_failed, run.repos_added) == ("partial", 2, 1, 1)


def test_a_repository_that_fails_is_skipped_and_keeps_what_was_stored_before(emulator, crawl_settings):
    emulator.add_account("Flaky")
    for i in range(5):
        emulator.add_repo("Flaky", FakeRepo(name=f"r{i}", readme=b"first"))
    settings = crawl_settings({"Flaky Council": ["Flaky"]})
    run_crawl(settings)
    for i in range(5):
        emulator.update_repo("Flaky", f"r{i}", readme=b"second")
    emulator.inject(r"/repos/Flaky/r3/readme", *["502"] * 10)

    summary = run_crawl(settings)

    # One repository's failure is that repository's: it is named, keeps its stored copy, and the rest go on.
    assert summary.exit_code == 1 and not summary.failed
    [note] = summary.skipped
    assert note.startswith("skipped Flaky/r3: ") and "502" in note
    readmes = {name: r.readme for name, r in stored(settings).items()}
    assert readmes == {
        "Flaky/r0": "second",
        "Flaky/r1": "second",
        "Flaky/r2": "second",
        "Flaky/r3": "first",
        "Flaky/r4": "second",
    }
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        assert catalogue.runs(1)[0].status == "partial"
        [state] = catalogue.handle_states()
        assert state.last_status == "ok" and "Flaky/r3" in (state.last_error or "")


def test_an_unexpected_api_answer_is_reported_not_raised(emulator, crawl_settings):
    emulator.add_account("Odd")
    emulator.add_repo("Odd", FakeRepo(name="r", readme=b"x"))
    emulator.inject(r"/orgs/Odd/repos", "truncate", "truncate", "truncate", "truncate", "truncate", "truncate")
    settings = crawl_settings({"Odd Council": ["Odd"]})

    summary = run_crawl(settings)

    assert summary.exit_code == 1
    assert "gave up after" in (summary.failed[0].error or "")


def test_a_malformed_repository_in_a_listing_is_skipped_alone(emulator, crawl_settings):
    # The bad value surfaces inside the handle's task group; it must be named, not a traceback.
    emulator.add_account("Odd")
    emulator.add_repo("Odd", FakeRepo(name="r", readme=b"x", stars="lots"))  # type: ignore[arg-type]
    emulator.add_repo("Odd", FakeRepo(name="fine", readme=b"x"))
    emulator.add_account("Fine")
    emulator.add_repo("Fine", FakeRepo(name="r", readme=b"x"))
    settings = crawl_settings({"Odd Council": ["Odd"], "Fine Council": ["Fine"]})

    summary = run_crawl(settings)

    assert summary.failed == [] and summary.exit_code == 1
    assert summary.skipped == ["skipped Odd/r: ValueError: stargazers_count is 'lots', not a number"]
    assert sorted(stored(settings)) == ["Fine/r", "Odd/fine"]


def test_only_the_named_orgs_are_crawled(emulator, crawl_settings):
    for handle in ("A-Council", "B-Council"):
        emulator.add_account(handle)
        emulator.add_repo(handle, FakeRepo(name="r", readme=b"x"))
    settings = crawl_settings({"A": ["A-Council"], "B": ["B-Council"]}, handles=("b-council",))

    run_crawl(settings)

    assert list(stored(settings)) == ["B-Council/r"]


def test_requests_in_flight_stay_within_the_concurrency(crawl_settings):
    with GitHubEmulator(latency=0.02) as slow:
        slow.add_account("Busy")
        for i in range(60):
            slow.add_repo("Busy", FakeRepo(name=f"r{i}", readme=b"x"))
        run_crawl(crawl_settings({"Busy Council": ["Busy"]}, api_url=slow.url, concurrency=4))
        assert 1 < slow.stats.max_in_flight <= 4


def test_crawling_the_real_council_corpus_keeps_every_readme_licence_and_council(emulator, crawl_settings, corpus_dir):
    accounts = load_corpus(emulator, corpus_dir)
    orgs = json.loads((corpus_dir / "orgs.json").read_text(encoding="utf-8"))
    # One config entry per council, holding all its handles (Leeds and Renfrewshire have two); the
    # handle stands in for a council the corpus cannot name (HfdsCouncil).
    names = {o["org"]: o["council_name"] or o["org"] for o in orgs if o["org"] in accounts}
    councils: dict[str, list[str]] = {}
    for handle in accounts:
        councils.setdefault(names[handle], []).append(handle)
    settings = crawl_settings(councils | {"Gone Council": ["gone-council-xyz"]})

    summary = run_crawl(settings)

    assert [o.handle for o in summary.failed] == ["gone-council-xyz"]
    repos = stored(settings)
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(corpus_dir.glob("repos/*/*/meta.json"))]
    served = {f"{org}/{r.name}": r for org, listed in accounts.items() for r in listed}
    assert sorted(repos) == sorted(served) == sorted(f"{m['org']}/{m['name']}" for m in metas)
    for meta in metas:
        repo = repos[f"{meta['org']}/{meta['name']}"]
        folder = corpus_dir / "repos" / meta["org"] / meta["name"]
        # Byte for byte: the stored README encodes back to exactly the committed file.
        expected = (folder / meta["readme_path"]).read_bytes() if meta["readme_path"] else None
        assert (repo.readme.encode("utf-8") if repo.readme is not None else None) == expected, repo.full_name
        assert repo.readme_path == meta["readme_path"]
        assert repo.council == names[meta["org"]]
        # Where the corpus does not know the branch, the emulator's stand-in (see load_corpus).
        assert repo.default_branch == (meta["default_branch"] or served[repo.full_name].default_branch)
    expected_licences = {
        "east-sussex-county-council/Escc.Gritting": "OGL-UK-1.0",
        "east-sussex-county-council/Escc.AZ": "OGL-UK-3.0",
        "traffordDataLab/council_open_data": "OGL-UK-3.0",
        "Buckinghamshire-Digital-Service/buckinghamshire-council": "BSD-3-Clause",
        "essexcountycouncil/essex-gov-uk-drupal": "GPL-2.0",
        "RoyalBoroughKingston/ck-api": "AGPL-3.0",
        "ShropshireCouncil/LocalGovUmbraco": "GPL-3.0",
        "LeedsCityCouncil/LeedsCityDashboard": "EPL-1.0",
        "LBCamden/lbcamden-frontend": "MIT",
        "Reading-Borough-Council/GoSearch": "MIT",
        "openglasgow/glasgow-cycling-ios": "MIT",
        "west-berkshire-council/Modern.Gov": None,
        "Lichfield-District-Council/Ratemyplace": None,
        # GitHub says NOASSERTION for these; the crawler reads the file.
        "east-sussex-county-council/Escc.ServiceClosures": "OGL-UK-1.0",
        "Surrey-County-Council/jsna-climate-and-environment": "OGL-UK-3.0",
        "traffordDataLab/spatial_data": "MIT",  # MIT for code, then the OGL for other resources
        # GitHub's own answer, kept as it is.
        "HfdsCouncil/Newsroom": "LGPL-3.0",
        "openglasgow/openglasgow.samples.api.publish.charp": "Apache-2.0",
    }
    for full_name, licence in expected_licences.items():
        assert repos[full_name].license == licence, full_name
    # Every licence file is recognised and no repository without one gets a licence.
    unlicensed = {f"{m['org']}/{m['name']}" for m in metas if not m["license_path"]}
    assert {name for name, r in repos.items() if r.license is None} == unlicensed


# -- the command line ----------------------------------------------------------------------------


def test_crawl_command_exits_2_and_crawls_nothing_when_the_config_is_invalid(emulator, tmp_path):
    config = tmp_path / "orgs.yaml"
    config.write_text("councils:\n  - name: Bad\n    github: [x]\n    colour: blue\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["crawl", "--config", str(config), "--data-dir", str(tmp_path / "d"), "--api-url", emulator.url]
    )
    assert result.exit_code == 2
    assert f"{config}:4" in result.output and "colour" in result.output
    assert emulator.stats.total_requests == 0
    assert not (tmp_path / "d" / "catalogue.sqlite").exists()


def test_crawl_command_never_shows_the_token_and_warns_without_one(emulator, tmp_path, monkeypatch):
    emulator.add_account("TokCouncil")
    emulator.add_repo("TokCouncil", FakeRepo(name="r", readme=b"x"))
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"Tok Council": ["TokCouncil"]}), encoding="utf-8")
    args = ["crawl", "--config", str(config), "--data-dir", str(tmp_path / "d"), "--api-url", emulator.url]

    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    anonymous = CliRunner().invoke(cli, args)
    assert anonymous.exit_code == 0, anonymous.output
    assert "60 requests an hour" in anonymous.output

    monkeypatch.setenv("GITHUB_TOKEN", "ghp_supersecret123")
    with_token = CliRunner().invoke(cli, ["-v", *args])
    assert with_token.exit_code == 0
    assert "ghp_supersecret123" not in with_token.output
    assert "60 requests an hour" not in with_token.output
    for path in (tmp_path / "d").rglob("*"):
        assert path.is_dir() or b"ghp_supersecret123" not in path.read_bytes()
    assert "Crawled 1 of 1 handles: 1 repositories" in with_token.output


def test_crawl_command_exits_1_and_names_the_failed_handle(emulator, tmp_path):
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"Nobody Council": ["nobody-here"]}), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["crawl", "--config", str(config), "--data-dir", str(tmp_path / "d"), "--api-url", emulator.url]
    )
    assert result.exit_code == 1
    assert "Failed: nobody-here (Nobody Council)" in result.output


def test_crawl_command_names_an_unusable_catalogue_without_a_traceback(emulator, tmp_path):
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"A": ["a-council"]}), encoding="utf-8")
    data = tmp_path / "d"
    data.mkdir()
    (data / "catalogue.sqlite").write_bytes(b"this is not an SQLite database " * 20)
    result = CliRunner().invoke(
        cli, ["crawl", "--config", str(config), "--data-dir", str(data), "--api-url", emulator.url]
    )
    assert result.exit_code == 1
    assert f"error: data dir {data}: file is not a database" in result.output
    assert emulator.stats.total_requests == 0


@pytest.fixture
def crawled(emulator, crawl_settings):
    emulator.add_account("ExpCouncil")
    emulator.add_repo(
        "ExpCouncil",
        FakeRepo(name="forms", description="=HYPERLINK(1)", topics=["forms", "gov"], readme=b"# Forms\n"),
    )
    emulator.add_repo("ExpCouncil", FakeRepo(name="maps", readme=None, license_spdx="MIT", license_file=b"MIT"))
    settings = crawl_settings({"Exp Council": ["ExpCouncil"]})
    run_crawl(settings)
    return settings


def test_export_json_has_every_field_with_the_readme_and_licence(crawled):
    result = CliRunner().invoke(cli, ["export", "--data-dir", str(crawled.data_dir.root)])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["full_name"] for r in rows] == ["ExpCouncil/forms", "ExpCouncil/maps"]
    assert rows[0]["readme"] == "# Forms\n" and rows[0]["topics"] == ["forms", "gov"]
    assert rows[0]["council"] == "Exp Council" and rows[1]["license"] == "MIT"
    assert {"id", "full_name", "owner", "name", "council", "description", "homepage", "html_url", "language"} <= set(
        rows[0]
    )


def test_export_jsonl_and_csv(crawled, tmp_path):
    lines = CliRunner().invoke(cli, ["export", "--data-dir", str(crawled.data_dir.root), "--format", "jsonl"])
    assert [json.loads(line)["name"] for line in lines.output.splitlines()] == ["forms", "maps"]

    out = tmp_path / "repos.csv"
    result = CliRunner().invoke(
        cli, ["export", "--data-dir", str(crawled.data_dir.root), "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert "readme" not in rows[0]
    assert rows[0]["topics"] == "forms;gov"
    assert rows[0]["description"] == "'=HYPERLINK(1)"  # no formula injection into spreadsheets


def test_export_without_a_catalogue_says_to_crawl_first(tmp_path):
    result = CliRunner().invoke(cli, ["export", "--data-dir", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "councilcode crawl" in result.output


def test_shipped_config_names_real_councils(tmp_path):
    from councilcode.config import load_councils

    councils = load_councils(Path(__file__).resolve().parents[1] / "config" / "orgs.yaml")
    handles = {h.lower() for c in councils for h in c.github}
    assert {"bristolcitycouncil", "lbcamden", "east-sussex-county-council"} <= handles


def test_an_api_that_cannot_be_reached_stops_the_crawl_at_once_keeping_what_is_stored(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    emulator.add_repo("KeptCouncil", FakeRepo(name="r", readme=b"x"))
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({f"Council {i}": [f"handle-{i}"] for i in range(40)} | {"Kept": ["KeptCouncil"]}))
    data = tmp_path / "d"
    first = CliRunner().invoke(
        cli, ["crawl", "--config", str(config), "--data-dir", str(data), "--api-url", emulator.url]
    )
    assert "Crawled 1 of 41 handles" in first.output
    catalogue_before = (data / "catalogue.sqlite").read_bytes()
    with Catalogue(data / "catalogue.sqlite", readonly=True) as catalogue:
        runs_before = catalogue.runs()
    closed = closed_port_url()

    started = time.monotonic()
    result = CliRunner().invoke(cli, ["crawl", "--config", str(config), "--data-dir", str(data), "--api-url", closed])
    took = time.monotonic() - started

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: cannot reach {closed}: connection refused; check the network or --api-url"
    ]
    assert took < 5  # was six tries of every handle: minutes
    with Catalogue(data / "catalogue.sqlite", readonly=True) as catalogue:
        assert catalogue.runs() == runs_before  # no run recorded: nothing new stored
        assert [r.full_name for r in catalogue.repositories()] == ["KeptCouncil/r"]
    assert (data / "catalogue.sqlite").read_bytes() == catalogue_before


def test_a_failure_beyond_one_handle_closes_the_run_instead_of_leaving_it_running(emulator, crawl_settings):
    emulator.add_repo("Full", FakeRepo(name="r", readme=b"x"))
    settings = crawl_settings({"Full Council": ["Full"]})

    def disk_full(self, result, run_id):
        raise sqlite3.OperationalError("database or disk is full")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Catalogue, "store_handle", disk_full)
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            run_crawl(settings)

    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        [run] = catalogue.runs()
    assert (run.status, run.message) == ("failed", "database or disk is full")
