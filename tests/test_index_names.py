"""Repository names and identifiers split into words."""

from __future__ import annotations

import pytest

from councilcode.indexer.analysis import spelling_words, text_analyzer
from councilcode.indexer.names import document_vocabulary, name_words, segment, split_identifier, topic_words
from councilcode.indexer.vocabulary import _WORDS


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("can-I-recycle-it", ["can", "i", "recycle", "it"]),
        ("GIFramework-Maps", ["gi", "framework", "maps"]),
        ("csv2geojson", ["csv", "2", "geojson"]),
        ("LeedsCityDashboard", ["leeds", "city", "dashboard"]),
        ("opendata_api", ["opendata", "open", "data", "api"]),
        ("Escc.Gritting", ["escc", "gritting"]),
        ("DynamicsPlugIns", ["dynamics", "plug", "ins"]),
        ("schoolclosures", ["schoolclosures", "school", "closures"]),
        ("Ratemyplace", ["ratemyplace", "rate", "my", "place"]),
        ("bhbudget", ["bhbudget", "bh", "budget"]),
        ("occlss", ["occlss"]),
    ],
)
def test_name_words(name: str, words: list[str]) -> None:
    found = name_words(name)
    assert found[: len(words)] == words


def test_the_whole_name_is_kept_too() -> None:
    assert name_words("csv2geojson")[-1] == "csv2geojson"
    assert "canirecycleit" in name_words("can-I-recycle-it")


def test_split_identifier() -> None:
    assert split_identifier("XMLHttpRequest") == ["XML", "Http", "Request"]
    assert split_identifier("School_closures.php") == ["School", "closures", "php"]
    assert split_identifier("net9app") == ["net", "9", "app"]
    assert split_identifier("") == []


def test_segmentation_needs_the_vocabulary_to_explain_the_word() -> None:
    vocabulary = document_vocabulary("Sutton Information Hub")
    assert segment("helpyourselfsutton", vocabulary) == ["help", "yourself", "sutton"]
    assert segment("lbcamden", document_vocabulary("Camden platforms")) == ["lb", "camden"]
    # Unknown letters in the middle are glue, not an acronym: no split.
    assert segment("geojson", vocabulary) is None
    # Real words stay whole, however they could be cut.
    assert segment("dashboard", vocabulary) is None
    # A README that repeats the repository's name does not stop it splitting.
    assert segment("ratemyplace", document_vocabulary("# Ratemyplace")) == ["rate", "my", "place"]


def test_segmentation_leaves_inflected_words_whole() -> None:
    # A README's own words (redirect, deploy, direct) must not cut a plain word into its stem and
    # a stray ending, nor may a lone letter start a split (g|it|hub).
    assert segment("redirects", document_vocabulary("Redirect a URL")) is None
    assert segment("deployment", document_vocabulary("deploy me")) is None
    assert segment("directories", document_vocabulary("direct or")) is None
    assert segment("github", document_vocabulary("it hub")) is None
    assert segment("bhbudget", document_vocabulary("bhbudget: a budget tool")) == ["bh", "budget"]


def test_base_vocabulary_is_alphabetical_without_repeats() -> None:
    # Kept in order so a word is added where a reader looks for it, and written once.
    words = _WORDS.split()
    assert words == sorted(set(words))


def test_topic_words() -> None:
    assert topic_words(["road-gritting", "open-data", "GIS"]) == ["road", "gritting", "open", "data", "gis"]


def test_analyser_splits_identifiers_and_stems() -> None:
    tokens = [(t.text, t.pos) for t in text_analyzer()("School_closures.php and recycling", positions=True)]
    assert tokens == [("school", 0), ("closur", 1), ("school_closur", 1), ("php", 2), ("recycl", 4)]
    # Porter2 brings recycle/recycling and cycle/cycling together.
    assert [t.text for t in text_analyzer()("recycle cycle cycling")] == ["recycl", "cycl", "cycl"]
    assert [t.text for t in text_analyzer()("A-Z of services")] == ["a-z", "servic"]


def test_spelling_words_are_distinct_and_unstemmed() -> None:
    assert spelling_words("Gritters grit the LocalGovDrupal roads; gritters!", None) == (
        "drupal gov grit gritters local localgovdrupal roads"
    )
