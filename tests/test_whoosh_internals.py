"""The Whoosh internals that search speed depends on (docs/whoosh.md): an upgrade that changes them must fail here
rather than make every search silently ten times slower."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh.spelling import Corrector

from councilcode.indexer import Searcher, SearchRequest, scoring
from councilcode.indexer.generations import IndexStore
from councilcode.records import Repository
from tests.factories import make_repository
from tests.helpers import index_repositories

COUNT = 600  # common words then sit in ~5 postings blocks of 128, so a block reader is really exercised
WORDS = ["parking", "permit", "waste", "collection", "library", "planning", "map", "portal"]


def _repository(number: int) -> Repository:
    words = [WORDS[(number + step) % len(WORDS)] for step in range(number % 4 + 1)]
    name = f"{words[0]}-service-{number}"
    return make_repository(
        f"council{number % 7}/{name}",
        f"Council {number % 7}",
        id=number,
        description=f"The council {' '.join(words)} service",
        language="Python",
        topics=words[:2],
        stars=number % 11,
        pushed_at=f"2024-01-{number % 28 + 1:02d}T00:00:00Z",
        readme=f"# {name}\n\nA {' and '.join(words)} application for residents.",
    )


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index")
    store = IndexStore(path)
    with store.write_lock():
        index_repositories(store, [_repository(n) for n in range(1, COUNT + 1)])
    return path


def test_real_searches_read_postings_a_block_at_a_time(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = {"fast": 0, "slow": 0}

    def counting(path: str, original):  # noqa: ANN001, ANN202
        def wrapper(matcher) -> Iterator:  # noqa: ANN001
            taken[path] += 1
            return original(matcher)

        return wrapper

    monkeypatch.setattr(scoring, "_read_blocks", counting("fast", scoring._read_blocks))
    monkeypatch.setattr(scoring, "_step_postings", counting("slow", scoring._step_postings))
    with Searcher(index_dir, warm_up=False) as searcher:
        for request in (
            SearchRequest(q="parking"),
            SearchRequest(q="waste collection", license="none"),
            SearchRequest(q="library portal", sort="stars", page=2),
            SearchRequest(q="description:planning"),
        ):
            assert searcher.search(request).total > 0
        assert searcher.similar("council1/permit-service-1")
    assert taken["fast"] > 0
    assert taken["slow"] == 0, "the fast scoring path was not taken: see docs/whoosh.md before upgrading Whoosh"


def test_the_fast_path_reads_the_same_postings_as_the_public_interface(index_dir: Path) -> None:
    with Searcher(index_dir, warm_up=False) as searcher:
        reader = searcher._state.searcher.reader()
        checked = 0
        for field in ("description", "readme"):
            (_, term), *_ = reader.most_frequent_terms(field, number=1)
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            for segment, _offset in reader.leaf_readers():
                matcher = segment.postings(field, term)
                matcher = getattr(matcher, "child", matcher)  # FilterMatcher hides deletions; none here
                assert scoring.reads_blocks(matcher), type(matcher)
                blocks = [(list(ids), list(freqs)) for ids, freqs in scoring._read_blocks(matcher)]
                (slow_ids, slow_freqs), *_ = scoring._step_postings(segment.postings(field, term))
                assert len(blocks) > 1  # more than one block, or the test proves little
                assert list(itertools.chain.from_iterable(ids for ids, _ in blocks)) == list(slow_ids)
                assert list(itertools.chain.from_iterable(freqs for _, freqs in blocks)) == list(slow_freqs)
                checked += 1
        assert checked >= 2


def test_the_spelling_corrector_hook_is_the_one_whoosh_calls() -> None:
    """indexer.spelling.IndexCorrector ranks candidates by overriding Corrector._suggestions."""
    assert "_suggestions" in Corrector.suggest.__code__.co_names
