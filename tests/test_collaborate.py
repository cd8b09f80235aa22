"""Collaboration finder: terms, vectors, clustering, groups and their file, on small made-up data."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from councilcode.indexer.build import update_index
from councilcode.indexer.collaborate import (
    FILENAME,
    Group,
    GroupRepository,
    Groups,
    build_groups,
    groups_path,
    load_groups,
    refresh_groups,
    write_groups,
)
from councilcode.indexer.group_clusters import attach_to_centroids, average_linkage, neighbour_graph, tfidf_vectors
from councilcode.indexer.group_finder import Phrase, _label, _search_query, find_groups
from councilcode.indexer.group_kinds import kinds_of
from councilcode.indexer.group_terms import RepositoryTerms, TermExtractor, about_sections, markdown_words_text
from councilcode.records import Repository
from councilcode.settings import DataDir
from tests.factories import make_repository
from tests.helpers import entry_of
from tests.relevance.corpus_records import store_in_catalogue


def make_repo(full_name: str, council: str, readme: str = "", *, id: int | None = None, **extra: object) -> Repository:
    """The shared factory, with the README first and one push date for all (so recency never decides)."""
    return make_repository(
        full_name,
        council,
        id=id,
        readme=readme or None,
        pushed_at="2024-05-01T10:00:00Z",
        **extra,  # type: ignore[arg-type]
    )


BANNER = (
    "# {title}\n\nAn alert banner module for Drupal websites: shows a site-wide alert banner for emergencies, "
    "with scheduled alert banners and severity levels.\n\n"
    "## Installation\n\nRun `composer install` and `npm run build`."
)
PARKING = (
    "# {title}\n\nResidents apply for resident parking permits and visitor parking permits online. "
    "Parking permits are renewed each year.\n\n## Licence\n\nMIT. Copyright the council."
)
GRITTING = "# {title}\n\nShows gritting routes and where the gritters are on a winter night.\n"


def small_catalogue() -> list[Repository]:
    """Three kinds of thing at several councils, a fork, and one council's own pair."""
    return [
        make_repo("alpha-council/alert-banner", "Alpha Council", BANNER.format(title="Alert banner"), id=1),
        make_repo("beta-dc/site-alerts", "Beta District Council", BANNER.format(title="Site alerts"), id=2),
        make_repo("gamma/drupal-alert-banner", "Gamma Council", BANNER.format(title="Alert banners"), id=3),
        make_repo(
            "delta/alert-banner", "Delta Council", BANNER.format(title="Alert banner"), id=4, fork=True
        ),  # a fork of Alpha's: reuse, not a fourth council building it
        make_repo("alpha-council/parking-permits", "Alpha Council", PARKING.format(title="Parking permits"), id=5),
        make_repo("beta-dc/permits", "Beta District Council", PARKING.format(title="Permits"), id=6),
        make_repo("gamma/gritting", "Gamma Council", GRITTING.format(title="Gritting"), id=7),
        make_repo("gamma/gritters", "Gamma Council", GRITTING.format(title="Gritters"), id=8),
        make_repo("epsilon/payroll", "Epsilon Council", "# Payroll\n\nMonthly payroll export to the ledger.\n", id=9),
    ]


# -- terms ---------------------------------------------------------------------------------------


def test_terms_leave_out_boilerplate_and_keep_what_it_is() -> None:
    readme = (
        "# LBCamden Frontend\n\n[![Tests](https://example.com/badge.svg)](https://ci)\n\n"
        "Components for the front-end of council services, as a design guide.\n\n"
        "## Installation\n\nRun `npm install` then `npm run start`. See the [licence](LICENSE).\n\n"
        "```bash\nnpm run secret-word-in-code\n```\n"
    )
    terms = TermExtractor().terms(make_repo("LBCamden/lbcamden-frontend", "Camden", readme)).weights
    assert {"compon", "design system", "design", "camden"} <= set(terms)
    for noise in ("instal", "install", "npm", "run", "licenc", "council", "servic", "secret", "badg", "test"):
        assert noise not in terms, noise
    # front-end -> frontend, which says how a project is built (front end or back end), not what it is for
    assert "front" not in terms and "end" not in terms and "frontend" not in terms


def test_readme_sections_about_housekeeping_are_left_out() -> None:
    readme = (
        "Gritting routes\n===============\n\nShows where the gritters are on a winter night.\n\n"
        "## Features\n\n* Live gritter positions\n\n"
        "## Getting started\n\nClone it and configure the tokens.\n\n### Prerequisites\n\nA kettle.\n\n"
        "## Licence\n\nOpen Government Licence.\n\n## Data sources\n\nGritter telemetry.\n"
    )
    text = about_sections(markdown_words_text(readme))
    for kept in ("Gritting routes", "winter night", "Features", "gritter positions", "Data sources", "telemetry"):
        assert kept in text, kept
    for dropped in ("Clone", "tokens", "kettle", "Government", "====="):
        assert dropped not in text, dropped
    # A framework's template README says nothing about the project.
    assert about_sections("# React + Vite\n\nThis template provides a minimal setup to get React working.") == ""


def test_kinds_of_work_meet_under_one_term() -> None:
    extractor = TermExtractor()
    leaflet = extractor.terms(make_repo("a/leaflet-maps", "A", "# Leaflet maps\n\nLeaflet maps of parks.")).weights
    arcgis = extractor.terms(make_repo("b/widgets", "B", "# Widgets\n\nArcGIS widgets for our GIS.")).weights
    assert "map" in leaflet and "map" in arcgis and "leaflet" in leaflet and extractor.stem("arcgis") in arcgis
    wordpress = extractor.terms(make_repo("c/ldc-wp", "C", "")).weights
    assert "wordpress" in wordpress
    assert "code standard" in extractor.terms(make_repo("d/standards", "D", "# Coding Style Guide")).weights


def test_identifiers_split_and_bigrams_do_not_cross_punctuation() -> None:
    extractor = TermExtractor()
    words = extractor.words("LocalGovDrupal alert_banner. Banner, colours")
    assert words[:3] == ["localgov", "drupal", "alert"]
    terms = extractor.terms(make_repo("x/localgov_alert_banner", "X", "Alert banner. Colours, themes")).weights
    assert "localgov alert" in terms and "alert banner" in terms
    assert "banner colour" not in terms and "colour theme" not in terms


def test_concepts_make_different_names_for_one_thing_meet() -> None:
    extractor = TermExtractor()
    for text in ("our pattern library", "a style guide", "the design guide", "live style system", "a UI kit"):
        assert "design system" in extractor.terms(make_repo("o/r", "C", text)).weights, text


def test_markdown_words_text_drops_code_links_and_images() -> None:
    text = markdown_words_text(
        "Intro [docs](https://x.example/a) ![logo](logo.png)\n```\ncode here\n```\n<b>bold</b> https://y.example"
    )
    assert "docs" in text and "Intro" in text and "bold" in text
    assert "code here" not in text and "logo" not in text and "x.example" not in text and "y.example" not in text


# -- vectors and clustering ------------------------------------------------------------------------


def test_tfidf_keeps_only_terms_two_councils_use() -> None:
    docs = [{"camden": 3.0, "banner": 1.0}, {"banner": 2.0, "alert": 1.0}, {"alert": 1.0, "camden": 1.0}]
    vectors = tfidf_vectors(docs, ["Camden", "Essex", "Camden"], max_df=1.0, min_terms=1)
    assert vectors.terms == ["alert", "banner"]  # camden: one council only
    norms = np.sqrt(np.asarray(vectors.matrix.multiply(vectors.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)


def test_average_linkage_merges_above_the_threshold_only() -> None:
    edges = {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.7, (2, 3): 0.2, (4, 5): 0.5}
    assert average_linkage(6, edges, 0.4) == [[0, 1, 2], [4, 5]]
    assert average_linkage(6, edges, 0.6) == [[0, 1, 2]]
    # 3 joins {0,1,2} only when the average over all three pairs (0.2 + 0 + 0) / 3 clears the bar.
    assert average_linkage(6, edges, 0.05) == [[0, 1, 2, 3], [4, 5]]


def test_average_linkage_does_not_chain() -> None:
    # A path of strong neighbours: single linkage would join all of it, average linkage must not.
    edges = {(i, i + 1): 0.6 for i in range(9)}
    clusters = average_linkage(10, edges, 0.3)
    assert all(len(c) <= 3 for c in clusters)


def test_too_little_text_is_not_grouped() -> None:
    docs = [{"text": 1.0}, {"text": 1.0}, {"alert": 1.0, "banner": 1.0, "drupal": 1.0}] * 2
    vectors = tfidf_vectors(docs, ["A", "B", "C", "D", "E", "F"], max_df=1.0)
    assert list(np.diff(vectors.matrix.indptr)) == [0, 0, 3, 0, 0, 3]
    assert neighbour_graph(vectors.matrix)[0] == {(2, 5): pytest.approx(1.0)}


def test_neighbour_graph_finds_the_most_similar_rows() -> None:
    vectors = tfidf_vectors(
        [{"a": 1.0, "b": 1.0}, {"a": 1.0, "b": 1.0, "c": 1.0}, {"c": 1.0, "d": 1.0}, {"d": 1.0}],
        ["P", "Q", "R", "S"],
        max_df=1.0,
        min_terms=1,
    )
    edges, nearest = neighbour_graph(vectors.matrix, k=1, owners=["P", "P", "R", "S"], others=2)
    assert (0, 1) in edges and (2, 3) in edges
    assert all(0.0 < sim <= 1.0 + 1e-6 for sim in edges.values())
    # Most similar at other owners, best first: row 1's own owner's row 0 is left out.
    assert [j for j, _ in nearest[1]] == [2]
    assert [j for j, _ in nearest[2]] == [3, 1]


# -- groups ----------------------------------------------------------------------------------------


def test_group_search_words_find_every_member() -> None:
    extractor = TermExtractor()

    def said(*words: str) -> RepositoryTerms:
        return RepositoryTerms(weights=Counter({extractor.stem(w): 1.0 for w in words}))

    phrases = [
        Phrase(3.0, extractor.stem("equipment"), "equipment"),
        Phrase(2.0, extractor.stem("loans"), "loans"),
        Phrase(1.5, extractor.stem("office"), "office"),
        Phrase(1.0, extractor.stem("laptops"), "laptops"),
    ]
    loans, office = said("equipment", "loans"), said("office", "equipment")
    # The best words find both members: nothing more.
    assert _search_query(phrases, [loans, office], extractor) == "equipment OR loans OR office"
    # A member joined by other words (an inventory of laptops) is found by a key term's word.
    laptops = said("laptops", "inventory")
    assert _search_query(phrases, [loans, office, laptops], extractor) == "equipment OR loans OR office OR laptops"
    # A kind's term stands in the weights for every word of the kind ("bin" puts in waste's), but a
    # search for "waste" does not find a README that says only bins.
    rounds = extractor.terms(make_repo("a/waste-rounds", "A", "# Waste rounds\n\nThe schedule of waste rounds."))
    bins = extractor.terms(make_repo("b/bin-days", "B", "# Bin days\n\nBin days for each street."))
    waste = [Phrase(3.0, extractor.stem(w), w) for w in ("waste", "rounds", "schedule", "bin")]
    assert _search_query(waste, [rounds, bins], extractor) == "waste OR rounds OR schedule OR bin"


def test_groups_span_councils_and_show_forks_as_reuse() -> None:
    groups = find_groups(small_catalogue())
    by_member = {r.full_name: g for g in groups for r in (*g.repositories, *g.reuse)}
    banner = by_member["alpha-council/alert-banner"]
    assert banner.councils == ["Alpha Council", "Beta District Council", "Gamma Council"]
    assert {r.full_name for r in banner.repositories} == {
        "alpha-council/alert-banner",
        "beta-dc/site-alerts",
        "gamma/drupal-alert-banner",
    }
    assert [(r.full_name, r.of, r.fork) for r in banner.reuse] == [
        ("delta/alert-banner", "alpha-council/alert-banner", True)
    ]
    assert banner.label == "Alert banner"
    assert banner.shared[0].words == "alert banner" and banner.shared[0].councils == 3
    assert "alert" in banner.search_query
    parking = by_member["alpha-council/parking-permits"]
    assert parking.councils == ["Alpha Council", "Beta District Council"]
    assert "parking" in parking.label.lower()
    # One council's two gritting repositories are its own business, not duplicated effort.
    assert "gamma/gritting" not in by_member
    assert "epsilon/payroll" not in by_member
    assert [len(g.councils) for g in groups] == sorted((len(g.councils) for g in groups), reverse=True)


def test_attach_to_centroids_joins_the_best_cluster_above_the_minimum() -> None:
    vectors = tfidf_vectors(
        [{"a": 1.0, "b": 1.0}, {"a": 1.0, "b": 1.0}, {"c": 1.0, "d": 1.0}, {"c": 1.0, "d": 1.0}]
        + [{"a": 1.0, "b": 1.0, "e": 1.0}, {"c": 1.0, "e": 1.0}, {"e": 1.0}, {"z": 1.0}],
        ["P", "Q", "P", "Q", "R", "R", "S", "T"],
        max_df=1.0,
        min_terms=1,
    )
    joined = attach_to_centroids(vectors.matrix, [[0, 1], [2, 3]], [4, 5, 6, 7], 0.4)
    # 4 is mostly cluster 0's words (cosine 0.82), 5 partly cluster 1's (0.41), 6 shares nothing,
    # 7 has no terms left
    assert joined == {4: 0, 5: 1}
    assert attach_to_centroids(vectors.matrix, [[0, 1], [2, 3]], [4, 5], 0.5) == {4: 0}


DESIGN_SYSTEMS = (
    ("north/north-design-system", "North Council", "# North design system\n\nButtons, forms and typography."),
    ("south/south-styleguide", "South Council", "# South styleguide\n\nOur colour palette and grid."),
    ("east/east-components", "East Council", "# East components\n\nAccordions, tabs and cards in Vue."),
    ("west/west-pattern-library", "West Council", "# Pattern library\n\nHeader, footer and breadcrumbs."),
)


def test_a_kind_of_work_is_one_group_whatever_else_its_readmes_say() -> None:
    # Four design systems that share no word but their kind, a meeting scheduler named after a single
    # component, and a QGIS plugin for a gazetteer beside another QGIS plugin.
    catalogue = [make_repo(name, council, readme, id=n) for n, (name, council, readme) in enumerate(DESIGN_SYSTEMS)]
    catalogue += [
        make_repo("east/meeting-scheduler-component", "East Council", "# Scheduler\n\nBook a meeting slot.", id=10),
        make_repo("north/qgis-gazetteer-plugin", "North Council", "# Gazetteer search\n\nFind an address.", id=11),
        make_repo("south/qgis-layer-styler", "South Council", "# Layer styler\n\nStyles map layers.", id=12),
    ]
    groups = find_groups(catalogue)
    design = next(g for g in groups if "north/north-design-system" in {r.full_name for r in g.repositories})
    assert design.label == "Design systems and component libraries"
    assert {r.full_name for r in design.repositories} == {name for name, _, _ in DESIGN_SYSTEMS}
    assert design.shared[0].words == "design system" and design.shared[0].councils == 4
    # The search finds each member by a word its name or text uses for the kind.
    assert {"design", "components"} <= set(design.search_query.split(" OR "))
    qgis = next(g for g in groups if "north/qgis-gazetteer-plugin" in {r.full_name for r in g.repositories})
    assert qgis.label == "QGIS plugins"  # the platform, before the gazetteer it searches


def test_every_term_of_a_kind_names_a_group_by_the_kind() -> None:
    # A group that similarity formed (not a kind's group) is named by the kind its best terms say,
    # whichever of the kind's terms it is: Elasticsearch is site search as much as Solr is.
    assert _label([Phrase(1.0, "solr", "Solr")]) == "Site search"
    assert _label([Phrase(1.0, "elasticsearch", "Elasticsearch")]) == "Site search"
    assert _label([Phrase(2.0, "rent", "rent"), Phrase(1.0, "webform", "webform")]) == "Online forms and form builders"
    assert _label([Phrase(1.0, "drupal", "Drupal")]) == "Drupal sites and modules"  # plain Drupal, not LocalGov
    assert _label([Phrase(1.0, "parking permit", "Parking permits")]) == "Parking permits"


def test_kinds_come_from_names_first_then_from_strong_terms() -> None:
    repos = [
        make_repo("a/bin-day", "A", "# Bin day\n\nWhen is my bin day."),
        make_repo("b/collections", "B", "# Collections\n\nWaste and recycling collections: waste, recycling."),
        make_repo("c/report", "C", "# Report it\n\nPotholes, streetlights, fly-tipping, graffiti, noise, waste."),
        make_repo("d/localgov_news", "D", "# News\n\nNews articles for the site."),
        make_repo("e/LocalGovUmbraco", "E", "# Starter kit\n\nFor councils."),
        make_repo("f/fix-my-street", "F", "# Fix my street\n\nPotholes, streetlights, fly-tipping, graffiti, noise."),
        # A README's title is a summary its authors chose, like a name ...
        make_repo("g/lbg-frontend", "G", "# Anytown Design System\n\nEverything to build pages."),
        # ... but a kind's word in it counts only as the kind's own term: Sass styles a website
        make_repo("h/webAppViewSass", "H", "# webAppViewSass\n\nThe view part of the website."),
        # A platform and the kind of work built on it: a repository can be both.
        make_repo("i/essex-intranet-drupal", "I", "# Intranet\n\nBuilt using the LocalGov Drupal distribution."),
        make_repo("j/Escc.Umbraco.UserAccessManager", "J", "# Umbraco User Access Manager\n\nReset passwords."),
    ]
    extractor = TermExtractor()
    described = [extractor.terms(r) for r in repos]
    vectors = tfidf_vectors([d.weights for d in described], [r.council for r in repos], max_df=1.0, min_terms=1)
    found = kinds_of(described, vectors.matrix, vectors.terms)
    assert [[(f.kind.key, f.named) for f in kinds] for kinds in found] == [
        [("waste", True)],
        [("waste", False)],  # its text is about waste and recycling
        [],  # one word of six does not make a report-it form a waste service
        [("drupal", True)],  # localgov_* is LocalGov Drupal's module prefix
        [("umbraco", True)],  # ... but LocalGov Umbraco is Umbraco
        [],
        [("design-system", True)],
        [("design-system", False)],  # a few words of text say Sass, but its title does not name a kind
        [("drupal", True), ("intranet", True)],  # the platform first
        [("umbraco", True), ("user-admin", True)],
    ]


def test_a_platform_and_a_kind_of_work_are_both_groups() -> None:
    catalogue = [
        make_repo("essex/essex-intranet-drupal", "Essex", "# Intranet\n\nBuilt on LocalGov Drupal."),
        make_repo("ldg/localgov_alert_banner", "LocalGov Drupal", "# Alert banner\n\nA Drupal module for banners."),
        make_repo("hounslow/hounslow-intranet-theme", "Hounslow", "# Theme\n\nBuilt on Underscores and Bootstrap."),
    ]
    groups = find_groups(catalogue)
    by_label = {g.label: {r.full_name for r in g.repositories} for g in groups}
    assert by_label["Staff intranets"] == {"essex/essex-intranet-drupal", "hounslow/hounslow-intranet-theme"}
    assert "essex/essex-intranet-drupal" in by_label["Drupal sites and modules"]
    loaded = Groups.from_json(Groups(groups, "2026-01-01T00:00:00Z", 3, 0.1).to_json())
    assert sorted(g.label for g in loaded.groups_of("ESSEX/essex-intranet-drupal")) == [
        "Drupal sites and modules",
        "Staff intranets",
    ]
    assert loaded.groups_of("nobody/nothing") == []


def test_near_copies_inside_a_kind_are_a_group_of_their_own() -> None:
    news = "# Intranet news\n\nNews articles for the staff intranet, with a staff phone directory and laptop inventory."
    catalogue = [
        make_repo("a/intranet-news", "A", news),
        make_repo("b/intranet-news-service", "B", news),
        make_repo("c/c-intranet-drupal", "C", "# C intranet\n\nOur intranet on Drupal."),
        make_repo("d/d-intranet-theme", "D", "# Theme\n\nBuilt on Underscores."),
    ]
    groups = [g for g in find_groups(catalogue) if g.label.startswith("Staff intranets")]
    members = sorted(sorted(r.full_name for r in g.repositories) for g in groups)
    assert members == [["a/intranet-news", "b/intranet-news-service"], ["c/c-intranet-drupal", "d/d-intranet-theme"]]
    assert len({g.label for g in groups}) == 2  # told apart by what the copies share


def test_group_ids_are_stable_and_groups_survive_a_json_round_trip(tmp_path: Path) -> None:
    first = build_groups(small_catalogue(), source="abc")
    second = build_groups(list(reversed(small_catalogue())), source="abc")
    assert [g.id for g in first.groups] == [g.id for g in second.groups]
    write_groups(tmp_path, first)
    loaded = load_groups(tmp_path)
    assert loaded is not None
    assert loaded.groups == first.groups and loaded.source == "abc"
    [found] = loaded.groups_of("ALPHA-COUNCIL/Alert-Banner")  # GitHub names ignore case
    assert "alpha-council/alert-banner" in {r.full_name for r in found.repositories}
    assert loaded.groups_of("nobody/nothing") == []
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_group_ids_survive_a_member_joining_leaving_or_changing() -> None:
    first = build_groups(small_catalogue())
    [banner] = first.groups_of("alpha-council/alert-banner")
    joined = make_repo("zeta/alerts", "Zeta Council", BANNER.format(title="Emergency alerts"), id=10)
    changed = [
        replace(r, readme=r.readme + "\nAlso shows a countdown.") if r.name == "site-alerts" else r
        for r in small_catalogue()
        if r.name != "drupal-alert-banner"
    ]
    second = build_groups([*changed, joined], previous=first)
    [again] = second.groups_of("alpha-council/alert-banner")
    assert again.id == banner.id
    assert "zeta/alerts" in {r.full_name for r in again.repositories}
    # Without the previous groups the id is worked out from the label and members, so it differs.
    [fresh] = build_groups([*changed, joined]).groups_of("alpha-council/alert-banner")
    assert fresh.id != banner.id


def test_similar_work_comes_from_the_same_vectors() -> None:
    found = build_groups(small_catalogue()).similar_to("ALPHA-COUNCIL/alert-banner")
    names = [name for name, _ in found]
    assert names[:2] and set(names[:2]) <= {"beta-dc/site-alerts", "gamma/drupal-alert-banner", "delta/alert-banner"}
    assert all(not name.startswith("alpha-council/") for name in names)  # other councils only
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)


def test_indexer_modules_import_no_cycle() -> None:
    # The grouping modules import one another in one direction only (records <- finder <- store).
    import ast

    root = Path(__file__).resolve().parents[1] / "indexer"
    imports: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("councilcode.indexer."):
                found.add(node.module.rsplit(".", 1)[1])
        imports[path.stem] = found

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for module in imports.get(start, ()):
            if module == target or (module not in seen and reaches(module, target, seen | {module})):
                return True
        return False

    cycles = sorted(module for module in imports if reaches(module, module, {module}))
    assert not cycles, cycles


def test_public_json_has_the_documented_shape() -> None:
    group = Group(
        id="g-1",
        label="alert banner",
        terms=["alert banner"],
        search_query="alert OR banner",
        councils=["A", "B"],
        repositories=[GroupRepository("a/x", "A", "MIT", "2024-01-01T00:00:00Z", "https://github.com/a/x", False)],
        reuse=[GroupRepository("c/x", "C", None, None, "https://github.com/c/x", True, of="a/x")],
    )
    body = Groups([group], "2024-01-01T00:00:00Z", 3, 0.1).public_json()
    assert set(body) >= {"groups", "generated_at"}
    item = body["groups"][0]
    assert set(item) >= {"id", "label", "councils", "repositories", "reuse"}
    assert set(item["repositories"][0]) == {"full_name", "council", "license", "pushed_at", "html_url", "fork"}
    assert item["reuse"][0]["of"] == "a/x"


def test_load_groups_tolerates_missing_and_broken_files(tmp_path: Path) -> None:
    assert load_groups(tmp_path) is None
    (tmp_path / FILENAME).write_text("{not json", encoding="utf-8")
    assert load_groups(tmp_path) is None
    (tmp_path / FILENAME).write_text(json.dumps({"format": 999, "groups": []}), encoding="utf-8")
    assert load_groups(tmp_path) is None


def test_refresh_recomputes_only_when_the_catalogue_changes(tmp_path: Path) -> None:
    entries = [entry_of(repo) for repo in small_catalogue()]
    calls: list[int] = []

    def counting(repos: list[Repository], **kwargs: object) -> Groups:
        calls.append(len(repos))
        return build_groups(repos, **kwargs)  # type: ignore[arg-type]

    refresh_groups(tmp_path, entries, group=counting)
    refresh_groups(tmp_path, entries, group=counting)
    assert calls == [len(entries)]
    changed = [*entries[:-1], entry_of(replace(small_catalogue()[-1], readme="# Payroll\n\nNew text.\n"))]
    refresh_groups(tmp_path, changed, group=counting)
    assert calls == [len(entries), len(entries)]


def test_refresh_failure_keeps_the_previous_groups(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    entries = [entry_of(repo) for repo in small_catalogue()]
    before = refresh_groups(tmp_path, entries)
    assert before is not None

    def broken(repos: list[Repository], **kwargs: object) -> Groups:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        assert refresh_groups(tmp_path, entries[:-1], group=broken) is None
    assert "could not compute collaboration groups" in caplog.text
    kept = load_groups(tmp_path)
    assert kept is not None and kept.groups == before.groups


def test_every_index_run_refreshes_the_groups(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    store_in_catalogue(data_dir.catalogue, small_catalogue())
    update_index(data_dir.catalogue, data_dir.index)
    stored = load_groups(data_dir.index)
    assert stored is not None and stored.repositories == len(small_catalogue())
    assert groups_path(data_dir.index).parent == data_dir.index
    # A repository leaves the catalogue: the next index run regroups without it.
    store_in_catalogue(data_dir.catalogue, [r for r in small_catalogue() if r.name != "site-alerts"])
    update_index(data_dir.catalogue, data_dir.index)
    after = load_groups(data_dir.index)
    assert after is not None and after.repositories == len(small_catalogue()) - 1
    assert after.groups_of("beta-dc/site-alerts") == []
