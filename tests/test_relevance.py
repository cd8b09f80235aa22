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

# Mean nDCG@10 over the first two judged sets, as measured (the figure is deterministic): 0.9149 over
# 108 queries (0.9138 before the distractors stopped being built with Vue, which set 2 asks for; 0.9135
# before the fourth round's vocabulary, 0.8986 before the tip, grid reference, workflow and snagging
# vocabulary; the second set 0.811 -> 0.896, which was its development data, the first 93 0.913 -> 0.916).
# The 93 judged before the second held-out set reached 0.913 in the round before (0.868 before the names
# of several words, the phrase synonyms' weight, pay/address/sso vocabulary and the demotion of demo
# copies; 0.783 before the vocabulary and README-opening changes before them). Issue 11 asks for 0.90:
# the first four sets reach 0.900 over 151, all five 0.857 over 176 (the held-out fifth set, 0.597,
# pulls it down).
MEAN_NDCG_THRESHOLD = 0.914
# The third set (`set: 3`), held out of the second vocabulary round, is held to its own floor so that
# the floors above keep counting the queries they were measured on: 0.737 over 19, before and after
# that round (none of its queries uses the vocabulary the round added); 0.848 after the fourth round,
# whose CI/CD, autocomplete, customer account and open source names came from the concepts of this
# set's misses, so the rise is not evidence that the vocabulary generalises; 0.880 once a name of
# several words had to be found with its words together (query.NEAR), not scattered over a README.
THIRD_SET_THRESHOLD = 0.879
# The fourth set (`set: 4`), written before the fourth round and held out of it: 0.724 over 24, before
# and after (other words 0.383). 0.729 once no distractor was an intranet's news; 0.849 (other words
# 0.739) after the fifth round, whose vocabulary came from this set's misses: development data now.
FOURTH_SET_THRESHOLD = 0.849
# The fifth set (`set: 5`), written before the fifth round and held out of it: 0.597 over 25, before
# and after (other words 0.216, broad 0.384). It is the honest figure for queries the vocabulary was
# not built from. As the newest held-out set it is held to its mean only: its misses are what the next
# round is for, so they are not listed as hopeless one by one.
FIFTH_SET_THRESHOLD = 0.597
HELD_OUT_SET = 5
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
    # the index leaves out of the README's words.
    "etl",
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
    third = [r for r in every if r.set == 3]
    assert mean(third) >= THIRD_SET_THRESHOLD, report(third)
    fourth = [r for r in every if r.set == 4]
    assert mean(fourth) >= FOURTH_SET_THRESHOLD, report(fourth)
    fifth = [r for r in every if r.set == 5]
    assert mean(fifth) >= FIFTH_SET_THRESHOLD, report(fifth)
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
    assert {item.set for item in judged} == {1, 2, 3, 4, 5}
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
