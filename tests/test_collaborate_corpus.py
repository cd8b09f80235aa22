"""Collaboration groups over the real UK council corpus plus 300 synthetic distractors, measured
against judged families of the same kind of work (tests/relevance/families.yaml).

The real repositories (shared/corpus/uk-councils) have no GitHub descriptions or topics: only names
and READMEs, some of them a line long, some missing. The distractors (tests/relevance/synthetic.py)
are fictional councils' repositories about other services (payroll, parking, council tax...), built
from shared sentences, so repositories of one theme at different councils do the same thing.

Nothing here counts repositories: the corpus grows, and the judged families say what belongs together.
"""

from __future__ import annotations

import pytest

from councilcode.indexer.collaborate import Group
from councilcode.indexer.group_finder import find_groups
from councilcode.indexer.group_kinds import KINDS
from councilcode.records import Repository
from tests.relevance.corpus_records import CORPUS_DIR, corpus_available, load_corpus_repositories
from tests.relevance.families import Family, Measurement, load_families, measure
from tests.relevance.synthetic import OFF_TOPIC, distractors

# Issue 11 asks for pairwise precision >= 0.85, recall >= 0.40 and 80% of families found. Measured on
# these families: before the rebuild 0.79 / 0.07 / 33%, after it 0.88 / 0.17 / 43%, with kinds of
# work 0.87 / 0.42 / 60%, with README titles, a platform and a kind of work per repository and
# more kinds 0.88 / 0.53 / 80% (docs/collaborate.md). Precision is held at the target; the other
# floors are what the groups reach, so a change that loses ground fails.
PRECISION_FLOOR = 0.85
RECALL_FLOOR = 0.52
FOUND_FLOOR = 0.8

# Distractor themes by the stems of their repository names (`payroll-export-12` -> payroll).
_THEME_OF_STEM = {stem.lower(): theme.key for theme in OFF_TOPIC for stem in theme.names}


def theme_of(repo_name: str) -> str | None:
    for stem, theme in _THEME_OF_STEM.items():
        if repo_name.lower().startswith(stem):
            return theme
    return None


@pytest.fixture(scope="module")
def real() -> list[Repository]:
    if not corpus_available():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    return load_corpus_repositories()


@pytest.fixture(scope="module")
def groups(real: list[Repository]) -> list[Group]:
    return find_groups(real + distractors())


@pytest.fixture(scope="module")
def families() -> list[Family]:
    return load_families()


@pytest.fixture(scope="module")
def measured(groups: list[Group], real: list[Repository], families: list[Family]) -> Measurement:
    councils = {r.full_name.lower(): r.council for r in real}
    result = measure([(g.label, [r.full_name for r in g.members]) for g in groups], councils, families)
    print("\n" + result.table())
    return result


def members(group: Group) -> set[str]:
    return {r.full_name for r in group.members}


def group_with(groups: list[Group], full_name: str) -> Group | None:
    return next((g for g in groups if full_name in members(g)), None)


def test_families_are_judged_on_the_corpus(real: list[Repository], families: list[Family]) -> None:
    councils = {r.full_name.lower(): r.council for r in real}
    assert len(families) >= 20
    for family in families:
        assert family.members <= councils.keys(), family.name  # every member is a real corpus repository
        assert len({councils[m] for m in family.members}) >= 2, family.name  # built at two councils or more


def test_groups_against_the_judged_families(measured: Measurement) -> None:
    assert measured.precision >= PRECISION_FLOOR, measured.table()
    assert measured.recall >= RECALL_FLOOR, measured.table()
    assert measured.found >= FOUND_FLOOR * len(measured.families), measured.table()


def test_design_systems_of_many_councils_are_one_group(groups: list[Group]) -> None:
    group = group_with(groups, "LBCamden/lbcamden-frontend")
    assert group is not None
    assert group.label == "Design systems and component libraries"
    # Design systems that call themselves a design guide, a styleguide, a frontend or components, and
    # style sheets that say what they are in their names alone.
    for name in (
        "Barnsley-Metropolitan-Borough-Council/design-guide",
        "smbc-digital/stockportgov-design-system",
        "smbc-digital/stockport-styleguide",
        "rothgov/components",
        "BristolCityCouncil/web_styles",
        "TraffordCouncil/trafford-website-style-baseline",
        "warwickshire/wcc_style",
    ):
        assert name in members(group), name
    assert len(group.councils) >= 8


def test_localgov_drupal_sites_and_modules_are_one_group(groups: list[Group]) -> None:
    group = group_with(groups, "essexcountycouncil/essex-gov-uk-drupal")
    assert group is not None
    # Essex's sites built on the distribution, with several of the distribution's own modules.
    assert {"essexcountycouncil/essex-intranet-drupal", "essexcountycouncil/send-lgdrupal"} <= members(group)
    assert len({m for m in members(group) if m.startswith("localgovdrupal/")}) >= 4
    assert {"Essex County Council", "LocalGov Drupal"} <= set(group.councils)
    assert "Drupal" in group.label


def test_unrelated_repositories_stay_out(groups: list[Group]) -> None:
    design = group_with(groups, "LBCamden/lbcamden-frontend")
    assert design is not None
    for outsider in (
        "east-sussex-county-council/Escc.Gritting",
        "essexcountycouncil/essex-gov-uk-drupal",
        "hull-city-council/can-I-recycle-it",
        "LBHackney-IT/repairs-api-dotnet",
        "RoyalBoroughKingston/ck-api",
    ):
        assert outsider not in members(design), outsider


def test_labels_name_the_kind_of_work(groups: list[Group], real: list[Repository]) -> None:
    names = {r.full_name for r in real}
    labels = {g.label for g in groups if members(g) & names}
    for kind in (
        "Design systems and component libraries",
        "LocalGov Drupal sites and modules",
        "WordPress themes and plugins",
        "School and service closures",
        "Bins, waste and recycling",
        "Web maps and map tools",
        "Address gazetteers and address lookup",
        "QGIS plugins",
        "Umbraco sites and packages",
        "Verint customisations",
    ):
        assert kind in labels, sorted(labels)
    for group in groups:
        assert group.label[:1].isupper(), group.label  # a label, not a fragment of a sentence
        assert group.shared and all(s.councils >= 2 for s in group.shared[:1]), group.label


def test_real_and_synthetic_repositories_are_not_mixed(groups: list[Group], real: list[Repository]) -> None:
    names = {r.full_name for r in real}
    for group in groups:
        found = members(group) & names
        assert not found or found == members(group), sorted(members(group))


def test_distractor_groups_each_hold_one_service(groups: list[Group]) -> None:
    synthetic = [g for g in groups if not any("/" in m and theme_of(m.split("/")[1]) is None for m in members(g))]
    assert len(synthetic) >= 15  # most of the 22 services are found
    for group in synthetic:
        themes = [theme_of(m.split("/")[1]) for m in members(group)]
        top = max(set(themes), key=themes.count)
        assert themes.count(top) / len(themes) >= 0.9, (group.label, sorted(members(group)))


def test_groups_span_councils_and_overlap_only_across_platforms(groups: list[Group]) -> None:
    platforms = tuple(kind.label for kind in KINDS if kind.platform) + ("Drupal sites and modules",)
    seen: dict[str, list[str]] = {}
    for group in groups:
        assert len(group.councils) >= 2
        assert {r.council for r in group.repositories} == set(group.councils)
        for name in members(group):
            seen.setdefault(name, []).append(group.label)
        assert group.label and group.terms and group.search_query
    for name, labels in seen.items():
        # at most a platform's group and the group of the kind of work built on it
        assert len(labels) == 1 or (len(labels) == 2 and sum(label.startswith(platforms) for label in labels) == 1), (
            name,
            labels,
        )
    assert any(len(labels) == 2 for labels in seen.values())  # an intranet built on Drupal is in both
    assert [len(g.councils) for g in groups] == sorted((len(g.councils) for g in groups), reverse=True)
