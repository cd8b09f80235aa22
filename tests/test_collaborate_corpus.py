"""Collaboration groups over the real UK council corpus plus 300 synthetic distractors.

The 37 real repositories (shared/corpus/uk-councils) have no GitHub descriptions or topics: only
names and READMEs, some of them a line long. The distractors (tests/relevance/synthetic.py) are
fictional councils' repositories about other services (payroll, parking, council tax...), built
from shared sentences, so repositories of one theme at different councils do the same thing.
"""

from __future__ import annotations

import pytest

from councilcode.indexer.collaborate import Group
from councilcode.indexer.group_finder import find_groups
from councilcode.records import Repository
from tests.relevance.corpus_records import CORPUS_DIR, corpus_available, load_corpus_repositories
from tests.relevance.synthetic import OFF_TOPIC, distractors

DESIGN_SYSTEMS = {
    "LBCamden/lbcamden-frontend": "London Borough of Camden",
    "OxfordshireCountyCouncil/occlss": "Oxfordshire County Council",
    "Barnsley-Metropolitan-Borough-Council/design-guide": "Barnsley Metropolitan Borough Council",
}
DRUPAL = {"essexcountycouncil/essex-gov-uk-drupal", "localgovdrupal/localgov_alert_banner"}

# Real repositories that may rightly share a group, as judged by reading their READMEs: council
# design systems and front-end style kits; council websites on LocalGov platforms (LocalGov Drupal
# and LocalGov Umbraco, "in the spirit of" it) and their modules; council open data publishing.
# Any group holding real repositories must fit inside one of these.
ACCEPTABLE = [
    {*DESIGN_SYSTEMS, "BristolCityCouncil/web_styles"},
    {*DRUPAL, "ShropshireCouncil/LocalGovUmbraco"},
    {"LambethCouncil/opendata_api", "traffordDataLab/council_open_data", "LeedsCityCouncil/LeedsCityDashboard"},
]

# Distractor themes by the stems of their repository names (`payroll-export-12` -> payroll).
_THEME_OF_STEM = {stem.lower(): theme.key for theme in OFF_TOPIC for stem in theme.names}


def theme_of(repo_name: str) -> str | None:
    for stem, theme in _THEME_OF_STEM.items():
        if repo_name.lower().startswith(stem):
            return theme
    return None


@pytest.fixture(scope="module")
def corpus() -> list[Repository]:
    if not corpus_available():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    return load_corpus_repositories() + distractors()


@pytest.fixture(scope="module")
def groups(corpus: list[Repository]) -> list[Group]:
    return find_groups(corpus)


def members(group: Group) -> set[str]:
    return {r.full_name for r in (*group.repositories, *group.reuse)}


def group_with(groups: list[Group], full_name: str) -> Group | None:
    return next((g for g in groups if full_name in members(g)), None)


def test_the_design_systems_of_camden_oxfordshire_and_barnsley_are_one_group(groups: list[Group]) -> None:
    group = group_with(groups, "LBCamden/lbcamden-frontend")
    assert group is not None
    assert set(DESIGN_SYSTEMS) <= members(group)
    assert set(DESIGN_SYSTEMS.values()) <= set(group.councils)
    assert "design" in group.label


def test_the_drupal_projects_of_essex_and_localgov_drupal_are_one_group(groups: list[Group]) -> None:
    group = group_with(groups, "essexcountycouncil/essex-gov-uk-drupal")
    assert group is not None
    assert members(group) >= DRUPAL
    assert {"Essex County Council", "LocalGov Drupal"} <= set(group.councils)
    assert "drupal" in group.label or "localgov" in group.label


def test_unrelated_repositories_stay_out(groups: list[Group]) -> None:
    design = group_with(groups, "LBCamden/lbcamden-frontend")
    assert design is not None
    for outsider in (
        "east-sussex-county-council/Escc.Gritting",
        "essexcountycouncil/essex-gov-uk-drupal",
        "hull-city-council/can-I-recycle-it",
        "LBHackney-IT/repairs-api-dotnet",
    ):
        assert outsider not in members(design), outsider
    gritting = group_with(groups, "east-sussex-county-council/Escc.Gritting")
    assert gritting is None or not set(DESIGN_SYSTEMS) & members(gritting)


def test_every_group_with_real_repositories_is_one_judged_right(groups: list[Group], corpus: list[Repository]) -> None:
    real = {r.full_name for r in load_corpus_repositories()}
    for group in groups:
        found = members(group) & real
        if found:
            assert members(group) <= real, f"real and synthetic mixed: {sorted(members(group))}"
            assert any(found <= ok for ok in ACCEPTABLE), f"unexpected group {group.label}: {sorted(found)}"


def test_distractor_groups_each_hold_one_service(groups: list[Group]) -> None:
    synthetic = [g for g in groups if not any("/" in m and theme_of(m.split("/")[1]) is None for m in members(g))]
    assert len(synthetic) >= 15  # most of the 22 services are found
    for group in synthetic:
        themes = [theme_of(m.split("/")[1]) for m in members(group)]
        top = max(set(themes), key=themes.count)
        assert themes.count(top) / len(themes) >= 0.9, (group.label, sorted(members(group)))


def test_groups_span_councils_and_do_not_overlap(groups: list[Group]) -> None:
    seen: set[str] = set()
    for group in groups:
        assert len(group.councils) >= 2
        assert {r.council for r in group.repositories} == set(group.councils)
        assert not members(group) & seen
        seen |= members(group)
        assert group.label and group.terms and group.search_query
    assert [len(g.councils) for g in groups] == sorted((len(g.councils) for g in groups), reverse=True)
