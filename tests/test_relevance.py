"""Ranking quality: nDCG@10 over judged queries on the real UK council corpus plus distractors.

Every repository of the shared corpus (shared/corpus/uk-councils, 192 when judged) is indexed with 300
deterministic synthetic repositories about other council services (payroll, parking permits, council
tax...), which share the generic vocabulary of council code but are relevant to no judged query. The
corpus has no GitHub descriptions or topics, so only names, READMEs, councils and languages can be
matched: the honest case for most council repositories. tests/relevance/judgements.yaml says how
the queries were judged and sorts them into classes (exact words, other words, one word, broad);
the report gives nDCG@10 per query and per class.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from councilcode.indexer.collaborate import refresh_groups
from councilcode.indexer.generations import IndexStore
from councilcode.indexer.search import Searcher
from tests.helpers import entry_of, index_repositories
from tests.relevance.corpus_records import CORPUS_DIR, corpus_available, load_corpus_repositories
from tests.relevance.evaluate import CLASSES, by_class, evaluate, load_judgements, mean, report
from tests.relevance.families import load_families
from tests.relevance.synthetic import distractors

# Mean nDCG@10 over the first two judged sets, as measured (the figure is deterministic): 0.9145 over
# 108 queries (0.9138 before the distractors stopped being built with Vue, which set 2 asks for, and
# stopped saying "architecture decisions"; 0.9135 before the fourth round's vocabulary, 0.8986 before
# the tip, grid reference, workflow and snagging vocabulary; the second set 0.811 -> 0.896, which was
# its development data, the first 93 0.913 -> 0.916). The 93 judged before the second held-out set
# reached 0.913 in the round before (0.868 before the names of several words, the phrase synonyms'
# weight, pay/address/sso vocabulary and the demotion of demo copies; 0.783 before the vocabulary and
# README-opening changes before them). Issue 11 asks for 0.90: the first three sets reach 0.909 over
# 127, the first four 0.898 over 151, all six 0.832 over 201 (each held-out set starts far lower:
# 0.811, 0.737, 0.724, 0.597, 0.581).
MEAN_NDCG_THRESHOLD = 0.914
# Each later set is held to its own floor, so the floor above keeps counting the queries it was
# measured on. Each was written before a round of ranking work and held out of it; the round after
# drew its vocabulary from the set's misses, so a rise after that is development, not evidence that
# the vocabulary generalises.
SET_FLOORS = {
    # 0.737 over 19, before and after the round it was held out of (none of its queries uses the
    # vocabulary the round added); 0.848 after the fourth round, built from its misses (CI/CD,
    # autocomplete, customer accounts, open source); 0.880 once a name of several words had to be found
    # with its words together (query.NEAR), not scattered over a README.
    3: 0.879,
    # 0.724 over 24, before and after the fourth round (other words 0.383); 0.718 once no distractor was
    # an intranet's news (+) and `cms` no longer found every README saying content (-, Contentful's
    # stem); 0.837 (other words 0.708) after the fifth round, built from its misses.
    4: 0.836,
    # 0.597 over 25, before and after the fifth round (other words 0.216, broad 0.384); 0.688 (other
    # words 0.409, broad 0.565) after the sixth, built from its misses.
    5: 0.687,
    # 0.581 over 25, before and after the sixth round (other words 0.226, broad 0.544): the honest
    # figure for queries the vocabulary was not built from.
    6: 0.580,
}
# The newest held-out set is held to its mean only: its misses are what the next round is for, so
# they are not listed as hopeless one by one.
HELD_OUT_SET = max(SET_FLOORS)
# Queries in other words than the README's (issue 11 asks for 0.70), first two sets: measured 0.909
# over 28 (0.866 before the third round's vocabulary; 0.764 over the first 22 before the second round,
# 0.482 before the first vocabulary).
OTHER_WORDS_THRESHOLD = 0.908
# No single query may fall to nothing unless judged hopeless below: catches a ranking regression
# hidden by a good mean.
PER_QUERY_FLOOR = 0.5
# Known misses, kept in the set as the honest cost of a ranking by words. Each is below the floor
# for the reason given; one rising above it is welcome (and should leave this list).
HOPELESS = {
    # Kingston's and Sutton's service directories call themselves an information hub connecting
    # residents with services; after LocalGov Drupal's directories module, "services" and "directory"
    # find everything else that says services.
    "services directory",
    # "council" is in almost every repository; "website" mostly in short READMEs that mention one.
    "council website",
    # Hackney's repairs hub says work orders, but "orders" also finds certificate orders (distractors)
    # and "work" is in many READMEs.
    "work orders",
    # Fourth set. Connected Kingston connects residents with services for their health but never says
    # prescribing; "social" finds social care.
    "social prescribing",
    # Fourth set. The transformation engine names its ETL stage only in a diagram's code block, which
    # the index leaves out of the README's words. (ETL's other names found it, but lost data pipelines.)
    "etl",
    # Fourth set. The Contentful sites never say headless, and the index cannot tell Contentful from
    # content: both stem to `content`.
    "headless cms",
    # Fifth set. Glasgow's free school meals matching has no README; its name says FSM, which as often
    # means a finite state machine.
    "free school meals eligibility",
    # Fifth set. Glasgow's e-scooter data has no README; its name says Voi, an operator's name.
    "e-scooter trips",
    # Fifth set. The cost calculator matches individuals across data sets, never saying record
    # linkage; "record" finds burial records (distractors) first.
    "record linkage",
    # Fifth set. East Sussex's site names A/B testing once, which the index keeps as `test` alone (`a`
    # is a stop word, `b` a single letter), and "testing" is in most READMEs.
    "split testing",
    # Fifth set. The reporting services say what is reported (a missed bin, a defect, flooding);
    # "report" also finds every reporting tool.
    "report a problem",
    # Fifth set. "api" is in the name of many repositories; of the public ones, only Lambeth's says so
    # (an open data API).
    "public api",
    # Fifth set. Hackney's repairs hub is third: "mobile" and "working" find apps and working notes first.
    "mobile working for operatives",
}
MIN_QUERIES = 60  # issue 11: at least 60 judged queries, at least 10 of them in other words
MIN_OTHER_WORDS = 10


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory):
    if not corpus_available():
        pytest.skip(f"the UK council corpus is not at {CORPUS_DIR}")
    path: Path = tmp_path_factory.mktemp("relevance-index")
    store = IndexStore(path)
    repositories = load_corpus_repositories() + distractors(300)
    with store.write_lock():
        index_repositories(store, repositories)
        # As an index run does: the collaboration groups, and with them similar work at other councils.
        refresh_groups(store.root, [entry_of(repo) for repo in repositories])
    with Searcher(path) as searcher:
        yield searcher


def test_mean_ndcg_at_10(searcher: Searcher) -> None:
    every = evaluate(searcher, load_judgements())
    print("\n" + report(every))
    results = [r for r in every if r.set <= 2]
    assert mean(results) >= MEAN_NDCG_THRESHOLD, report(results)
    for number, floor in SET_FLOORS.items():
        judged_set = [r for r in every if r.set == number]
        assert mean(judged_set) >= floor, report(judged_set)
    other = by_class(results)["other"]
    assert mean(other) >= OTHER_WORDS_THRESHOLD, report(other)
    weak = {
        r.query: round(r.ndcg, 3)
        for r in every
        if r.ndcg < PER_QUERY_FLOOR and r.query not in HOPELESS and r.set != HELD_OUT_SET
    }
    assert not weak, weak


def test_judged_set_is_large_enough_and_classified() -> None:
    judged = load_judgements()
    queries = [item.query for item in judged]
    assert len(queries) >= MIN_QUERIES and len(set(queries)) == len(queries)
    assert {item.kind for item in judged} == set(CLASSES)
    assert {item.set for item in judged} == {1, 2, *SET_FLOORS}
    assert sum(item.kind == "other" for item in judged) >= MIN_OTHER_WORDS
    assert not HOPELESS - set(queries), HOPELESS - set(queries)


def test_judgements_name_real_repositories(searcher: Searcher) -> None:
    names = {r.full_name.lower() for r in load_corpus_repositories()}
    for judged in load_judgements():
        unknown = set(judged.grades) - names
        assert not unknown, (judged.query, unknown)
        assert all(1 <= grade <= 3 for grade in judged.grades.values())


def test_no_distractor_names_a_judged_query() -> None:
    # Distractors are graded 0 for every query unread, which is only right if none is about one.
    texts = {
        repo.full_name: " ".join([repo.name.replace("-", " "), repo.description or "", repo.readme or "", *repo.topics])
        for repo in distractors(300)
    }
    for judged in load_judgements():
        named = re.compile(rf"\b{re.escape(judged.query)}\b", re.IGNORECASE)
        assert not [name for name, text in texts.items() if named.search(text)], judged.query


def test_distractors_are_deterministic() -> None:
    first, second = distractors(50), distractors(50)
    assert [r.to_dict() for r in first] == [r.to_dict() for r in second]
    assert len({r.full_name.lower() for r in distractors(300)}) == 300


def test_similar_work_on_the_corpus(searcher: Searcher) -> None:
    # Similar work comes from the collaboration groups' comparison: a LocalGov Drupal site finds the
    # distribution's modules, a design system other councils' design systems (families.yaml), and
    # never its own council's repositories.
    families = load_families()
    drupal = next(f for f in families if "Drupal" in f.name)
    similar = searcher.similar("essexcountycouncil/essex-gov-uk-drupal")
    assert similar and all(s.council != "Essex County Council" for s in similar)
    assert {s.full_name.lower() for s in similar[:3]} <= drupal.members
    design = next(f for f in families if f.name.startswith("Design systems"))
    camden = searcher.similar("LBCamden/lbcamden-frontend")
    assert camden and all(s.council != "London Borough of Camden" for s in camden)
    assert sum(s.full_name.lower() in design.members for s in camden[:5]) >= 3
    assert [s.score for s in camden] == sorted((s.score for s in camden), reverse=True)
    maps = searcher.similar("Dorset-Council-UK/GIFramework-Maps")
    assert all(not s.full_name.startswith("Dorset-Council-UK/") for s in maps)
