"""The ranking machinery: exact top-k, facets by bitmaps, phrases, word finding, query parsing, spelling."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import councilcode.indexer.docvalues
from councilcode.indexer import scoring
from councilcode.indexer.generations import IndexStore
from councilcode.indexer.query import QueryBuilder, is_well_formed, plain_words
from councilcode.indexer.ranking import Matches, Phrase, opening_of, ranked, readme_opening
from councilcode.indexer.schema import make_schema
from councilcode.indexer.search import Searcher, SearchRequest
from councilcode.indexer.snippets import Terms, make_snippet
from councilcode.indexer.spelling import edit_distance
from councilcode.indexer.synonyms import (
    PHRASE_SYNONYM_WEIGHT,
    SYNONYM_WEIGHT,
    SYNONYMS,
    normalise_phrases,
    phrases,
    synonyms,
)
from councilcode.records import Repository
from tests.factories import make_repository
from tests.helpers import index_repositories


@contextmanager
def indexed(tmp_path: Path, repositories: list[Repository]) -> Iterator[Searcher]:
    """A searcher over an index of just `repositories`."""
    store = IndexStore(tmp_path)
    with store.write_lock():
        index_repositories(store, repositories)
    with Searcher(tmp_path) as searcher:
        yield searcher


def brute_force(matches: Matches, wanted: int) -> list[tuple[float, int]]:
    everything = [(matches.score(doc), doc) for doc in matches.raw or {}]
    return sorted(everything, key=lambda pair: (-pair[0], pair[1]))[:wanted]


@pytest.mark.parametrize("seed", range(5))
def test_ranked_finds_exactly_the_best(seed: int) -> None:
    rng = random.Random(seed)
    docs = range(2000)
    raw = {doc: rng.random() * 10 for doc in docs if rng.random() < 0.7}
    factors = [rng.choice((1.0, 1.0, 1.0, 0.8, 0.85, 0.68)) for _ in docs]
    matched = {doc: rng.randint(1, 3) for doc in raw}
    tiers: dict[int, list[int]] = {}
    for doc, count in matched.items():
        tiers.setdefault(count, []).append(doc)
    matches = Matches(docs=raw.keys(), raw=raw, factors=factors, words=3, matched=matched, tiers=tiers)
    for wanted in (1, 20, 60, 500):
        assert ranked(matches, wanted) == brute_force(matches, wanted)
    single = Matches(docs=raw.keys(), raw=raw, factors=factors)
    assert ranked(single, 20) == brute_force(single, 20)


def test_phrase_bonus_reorders_only_the_window() -> None:
    raw = {1: 10.0, 2: 9.0, 3: 8.0}
    matches = Matches(docs=raw.keys(), raw=raw, factors=[1.0] * 4)
    assert [doc for _, doc in ranked(matches, 3, has_phrase=lambda doc: doc == 3)] == [3, 1, 2]


def test_opening_bonus_reorders_only_a_page() -> None:
    raw = {doc: 100.0 - doc for doc in range(30)}
    matches = Matches(docs=raw.keys(), raw=raw, factors=[1.0] * 30)
    order = [doc for _, doc in ranked(matches, 30, opening=lambda doc: 1.0 if doc in (5, 25) else 0.0)]
    assert order[0] == 5  # x1.5 lifts it from sixth to first
    assert order.index(25) == 25  # beyond the first 20: not looked at


def test_opening_share_counts_synonyms_at_their_weight() -> None:
    parsed = QueryBuilder(make_schema()).parse("press releases")
    opening = opening_of(parsed)
    assert opening is not None
    assert opening.share("Press releases for the newsroom") == 1.0
    # `news` is another name for the phrase typed, so it counts for both words at the phrase's weight.
    assert opening.share("A package for creating and managing a news system") == pytest.approx(PHRASE_SYNONYM_WEIGHT)
    assert opening.share("Parking permits") == 0.0
    assert opening_of(QueryBuilder(make_schema()).parse("")) is None


def test_readme_opening_is_its_first_blocks() -> None:
    assert readme_opening("Title\n\nWhat it is.\n\nInstall it.") == "Title\n\nWhat it is."
    assert len(readme_opening("word " * 500)) == 300
    assert readme_opening(None) == ""


def test_phrase_synonyms_reach_every_word_of_the_phrase() -> None:
    builder = QueryBuilder(make_schema())
    groups = builder.parse("housing waiting lists").groups
    assert "regist" not in groups[0] and groups[1]["regist"] == groups[2]["regist"] < 1.0
    single = builder.parse("single sign-on").groups  # `on` is a stop word; the phrase still matches
    assert all("saml" in group for group in single)
    # `sign` alone finds authentication at a word's synonyms' weight; the phrase typed, at the phrase's.
    assert builder.parse("sign").groups[0]["authent"] == SYNONYM_WEIGHT
    assert all(group["authent"] == PHRASE_SYNONYM_WEIGHT for group in builder.parse("single sign on").groups)
    assert not any("saml" in group for group in builder.parse("sign single").groups)  # out of order


def test_names_of_several_words_are_compound_alternatives() -> None:
    builder = QueryBuilder(make_schema())
    # A single word's other names of several words are one compound term, at the synonyms' weight.
    assert builder.parse("gritting").groups[0]["salt spread"] == SYNONYM_WEIGHT
    # A phrase typed finds its other names at the phrase's weight, in every word's group.
    groups = builder.parse("salt spreading lorries").groups
    assert groups[0]["grit"] == groups[1]["grit"] == PHRASE_SYNONYM_WEIGHT and "grit" not in groups[2]
    assert all("emerg notic" in group for group in builder.parse("alert banner").groups)
    # Snippets and the Whoosh query see the stems, never the compound.
    assert {"salt", "spread"} <= builder.parse("gritting").terms and "salt spread" not in builder.parse(
        "gritting"
    ).terms
    # Names go both ways: each finds the others.
    assert "emergency notice" in phrases()["alert banner"] and "alert banner" in phrases()["emergency notice"]


def test_a_compound_alternative_needs_every_word(tmp_path: Path) -> None:
    repositories = [
        make_repository("o/gritters", "A", readme="Where the gritters are."),
        make_repository("o/spreader", "A", readme="A salt spreading schedule for the depots."),
        make_repository("o/hashing", "A", readme="Passwords hashed with a salt."),
        # Both words, far apart: not the name.
        make_repository("o/scattered", "A", readme="Hash with a salt. " + "Then more words here. " * 5 + "Spreading."),
        make_repository("o/gap", "A", readme="A salt and grit spreading schedule."),  # two words between: the name
    ]
    with indexed(tmp_path, repositories) as searcher:
        found = {hit.full_name for hit in searcher.search(SearchRequest(q="gritting")).results}
    assert found == {"o/gritters", "o/spreader", "o/gap"}  # not a password hash's salt, nor scattered words


def test_a_hint_is_not_a_tip(tmp_path: Path) -> None:
    repositories = [
        make_repository("o/hwrc", "A", readme="Opening times of the household waste recycling centres."),
        make_repository("o/tool", "A", readme="A build tool. Tip: run npm install first."),
    ]
    with indexed(tmp_path, repositories) as searcher:
        assert [hit.full_name for hit in searcher.search(SearchRequest(q="recycling centre")).results] == ["o/hwrc"]
        # The tip typed still finds the recycling centre.
        assert "o/hwrc" in {hit.full_name for hit in searcher.search(SearchRequest(q="waste tip")).results}


def test_warming_finds_the_vocabularys_names_before_anyone_searches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repositories = [make_repository("o/spreader", "A", readme="A salt spreading schedule for the depots.")]
    store = IndexStore(tmp_path)
    with store.write_lock():
        index_repositories(store, repositories)
    with Searcher(tmp_path) as searcher:
        searcher.stats()  # opens the index, which starts the warm-up
        deadline = time.monotonic() + 30
        while any(t.name == "search-warm-up" for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert time.monotonic() < deadline, "the warm-up did not finish"
        # Finding a name's words together is Whoosh's phrase matching: after the warm-up, none is left to do.
        searched: list[object] = []
        monkeypatch.setattr(scoring.Searcher, "docs_for_query", lambda self, q: searched.append(q) or [])
        assert [hit.full_name for hit in searcher.search(SearchRequest(q="gritting")).results] == ["o/spreader"]
        assert not searched


def test_vacancies_find_jobs_but_jobs_are_not_vacancies(tmp_path: Path) -> None:
    repositories = [
        make_repository("o/jobs-site", "A", readme="Jobs at the council."),
        make_repository("o/careers", "A", readme="The council's careers pages."),
        make_repository("o/importer", "A", readme="Runs nightly jobs that import addresses."),
    ]
    with indexed(tmp_path, repositories) as searcher:

        def found(q: str) -> set[str]:
            return {hit.full_name for hit in searcher.search(SearchRequest(q=q)).results}

        assert {"o/jobs-site", "o/careers"} <= found("vacancies")
        assert {"o/jobs-site", "o/careers"} <= found("recruitment")
        # Jobs typed are not vacancies: a README's jobs are more often background work than posts.
        assert found("jobs") == {"o/jobs-site", "o/importer"}


def test_things_are_found_by_their_other_names(tmp_path: Path) -> None:
    repositories = [
        make_repository("o/bot", "A", readme="A chatbot that answers questions with OpenAI's GPT."),
        make_repository("o/Modern.Gov", "A"),
        make_repository("o/site", "A", readme="A Gatsby site whose pages come from Strapi."),
        make_repository("o/phonebook", "A", readme="A phonebook of staff and external contacts."),
        make_repository("o/loneliness", "A", readme="Maps loneliness among older residents."),
        make_repository("o/fault", "A", readme="Residents report a fault with a street light."),
        make_repository("o/lambeth", "A", readme="Lambeth's open data API."),
        # What those names must not find: the words, but not the thing.
        make_repository("o/news", "A", readme="Publishes news content to the website."),
        make_repository("o/lone", "A", readme="Keeps lone workers safe on home visits."),
        make_repository("o/finance", "A", readme="Monthly finance reports."),
        make_repository("o/described", "A", readme="An API described with OpenAPI."),
    ]
    with indexed(tmp_path, repositories) as searcher:
        for q, name in [
            ("large language model", "o/bot"),
            ("llm", "o/bot"),
            ("committee management system", "o/Modern.Gov"),
            ("headless cms", "o/site"),
            ("employee directory", "o/phonebook"),
            ("social isolation", "o/loneliness"),
            ("report a problem", "o/fault"),
            ("public api", "o/lambeth"),
        ]:
            assert [hit.full_name for hit in searcher.search(SearchRequest(q=q)).results][:1] == [name], q
        found = {
            hit.full_name
            for q in ("headless cms", "social isolation")
            for hit in searcher.search(SearchRequest(q=q)).results
        }
        assert not found & {"o/news", "o/lone"}  # Contentful's stem is content, lonely's lone: neither is a name
        # FixMyStreet finds reporting a fault, not every report.
        assert [hit.full_name for hit in searcher.search(SearchRequest(q="fixmystreet")).results] == ["o/fault"]
        assert "o/described" not in {
            hit.full_name for hit in searcher.search(SearchRequest(q="public api")).results[:1]
        }
        # A product's name does not find every product of its kind.
        assert not searcher.search(SearchRequest(q="openai")).results[1:]


def test_names_of_several_words_keep_several_words() -> None:
    # A name whose words the analyser takes down to one (`report it`: `it` is a stop word; "A/B
    # testing": `a` and `b`) would be that one word everywhere; two names with the same stems are one.
    builder = QueryBuilder(make_schema())
    table = phrases()
    several = {*table, *(o for os in table.values() for o in os), *(o for os in SYNONYMS.values() for o in os)}
    several = {name for name in several if " " in name}
    assert not [name for name in several if len(builder._analyse(name)) < 2]
    for phrase, others in table.items():
        stems = [tuple(builder._analyse(name)) for name in (phrase, *others) if " " in name]
        assert len(stems) == len(set(stems)), phrase


def test_four_words_may_spell_out_an_acronym() -> None:
    builder = QueryBuilder(make_schema())
    assert all(
        group.get("jsna") == SYNONYM_WEIGHT for group in builder.parse("joint strategic needs assessment").groups
    )
    assert all(
        "llpg" in group for group in builder.parse("local land and property gazetteer").groups
    )  # `and`: a stop word
    assert not any("ssl" in group for group in builder.parse("salt spreading lorries").groups)


def test_phrase_found_in() -> None:
    phrase = Phrase((Terms(("open",)), Terms(("data",))))
    assert phrase.found_in("Lambeth Open Data API")
    assert phrase.found_in("open some more data")  # two words between: within the slop
    assert not phrase.found_in("open one two three data")
    assert not phrase.found_in("data before open")
    assert not phrase.found_in(None)
    assert Phrase((Terms(("school",)), Terms(("closur",)))).found_in("see School_closures.php")


def test_terms_find_word_beginnings() -> None:
    terms = Terms.of(["recycl", "bin", "map"])
    assert terms is not None
    text = "Recycling bins, a Bingo cabinet, mapping and sitemaps; RECYCLE"
    assert [text[a:b] for a, b in terms.find(text)] == ["Recycling", "bins", "mapping", "RECYCLE"]
    assert Terms.of(["", " "]) is None
    # Characters whose lower case is longer do not shift the positions.
    assert [("İstanbul maps")[a:b] for a, b in Terms.of(["map"]).find("İstanbul maps")] == ["maps"]


def test_snippet_window_and_marks() -> None:
    readme = "Intro text. " * 40 + "Find your bin collection day & more. " + "Filler words here. " * 40
    snippet = make_snippet([None, readme], Terms.of(["bin", "collect"]))
    assert snippet.text.startswith("… ") and snippet.text.endswith(" …")
    assert "bin collection day" in snippet.text
    assert "<mark>bin</mark> <mark>collection</mark> day &amp; more" in snippet.html
    assert len(snippet.text) < 260
    assert make_snippet(["Short description"], None).html == "Short description"
    assert make_snippet([None, ""], Terms.of(["x"])).text == ""


def test_query_syntax_checks() -> None:
    for good in ["bins", '"open data" maps', "maps AND NOT drupal", "(maps OR gis) AND dorset", "NOT drupal"]:
        assert is_well_formed(good), good
    for bad in ['"open data', "AND", "(((", "field:", "maps)", "a AND", "OR OR", "()", "maps AND (", ")("]:
        assert not is_well_formed(bad), bad
    assert plain_words('"open (data) AND field: x*') == "open data field x"


def test_synonyms() -> None:
    assert "waste" in synonyms("bin") and "recycling" in synonyms("bins")
    assert "umbraco" in synonyms("cms")
    assert synonyms("drupal") == ()  # a particular CMS does not find the others
    assert "chatbot" in synonyms("assistant") and "assistant" not in synonyms("chatbot")
    assert "license" in synonyms("licence") and "licence" in synonyms("license")
    assert normalise_phrases("A to Z of services") == "a-z of services"


def test_edit_distance() -> None:
    assert edit_distance("colection", "collection") == 1
    assert edit_distance("recylcing", "recycling") == 1  # a transposition is one edit
    assert edit_distance("", "abc") == 3
    assert edit_distance("gritting", "gritting") == 0


def _repos(count: int) -> list[Repository]:
    rng = random.Random(3)
    councils = [f"Council {i}" for i in range(12)]
    repos = []
    for i in range(count):
        owner = f"owner{i % 40}"
        repos.append(
            make_repository(
                f"{owner}/repo-{i}",
                rng.choice(councils),
                id=i + 1,
                description=rng.choice(["bin collection", "parking permits", "open data", "council tax"]),
                language=rng.choice(["Python", "PHP", None]),
                license=rng.choice(["MIT", "OGL-UK-3.0", None]),
                topics=rng.sample(["waste", "parking", "data", "tax", "gis"], k=rng.randint(0, 3)),
                pushed_at=f"20{rng.randint(10, 26)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T00:00:00Z",
            )
        )
    return repos


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("ranking-index")
    store = IndexStore(path)
    with store.write_lock():
        index_repositories(store, _repos(400))
    with Searcher(path, warm_up=False) as searcher:
        yield searcher


def test_bitmap_facets_equal_plain_counts(searcher: Searcher, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = searcher.search(SearchRequest(q="bin collection parking", facet_limit=100)).facets
    monkeypatch.setattr(councilcode.indexer.docvalues, "_BITMAP_FROM", 1)
    fresh = Searcher(searcher.index_dir, warm_up=False)
    try:
        bitmaps = fresh.search(SearchRequest(q="bin collection parking", facet_limit=100)).facets
    finally:
        fresh.close()
    assert bitmaps == plain
    assert sum(plain["council"].values()) == fresh_total(searcher, "bin collection parking")


def fresh_total(searcher: Searcher, q: str) -> int:
    return searcher.search(SearchRequest(q=q)).total


def test_a_word_in_most_documents_is_left_out_beside_rarer_ones(searcher: Searcher) -> None:
    # Every document's council is "Council N": on its own the word still matches everything...
    assert searcher.search(SearchRequest(q="council")).total == 400
    # ...but beside a rarer word it no longer drags every document in.
    together = searcher.search(SearchRequest(q="council parking"))
    assert together.total == searcher.search(SearchRequest(q="parking")).total


def test_more_words_matched_rank_higher(searcher: Searcher) -> None:
    response = searcher.search(SearchRequest(q="parking gis", limit=100))
    words = {h.full_name: {*h.topics, *(h.description or "").split()} for h in response.results}
    both = [h for h in response.results if {"gis", "parking"} <= words[h.full_name]]
    assert both, "the fixture has documents matching both words"
    first = response.results[: len(both)]
    assert {h.full_name for h in first} == {h.full_name for h in both}


def test_every_filter_value_counts_add_up(searcher: Searcher) -> None:
    everything = searcher.search(SearchRequest(limit=100)).facets
    for licence, count in everything["license"].items():
        assert searcher.search(SearchRequest(license=licence)).total == count
    assert everything["license"]["none"] == searcher.search(SearchRequest(license="none")).total
    by_council = Counter(r.council for r in _repos(400))
    assert everything["council"] == dict(sorted(by_council.items(), key=lambda kv: (-kv[1], kv[0].lower())))


def test_demonstration_copies_rank_below_the_work(tmp_path: Path) -> None:
    readme = "Blazor components styled with the GOV.UK Design System."
    names = ["o/components-demo", "o/components", "o/components_test", "o/ZZSandBox", "o/demo-site"]
    with indexed(tmp_path, [make_repository(name, "A", readme=readme) for name in names]) as searcher:
        hits = searcher.search(SearchRequest(q="blazor", limit=10)).results
    ranked_names = [hit.full_name for hit in hits]
    # The work and a name that merely contains `demo` first; the copies to show or try it after.
    assert set(ranked_names[:2]) == {"o/components", "o/demo-site"}
    assert set(ranked_names[2:]) == {"o/components-demo", "o/components_test", "o/ZZSandBox"}
