"""Words council developers use for the same thing, searched at a lower weight than what was typed.

Kept short and general (waste services, winter roads, mapping, content management), so a query
in one council's words still finds another council's code written in other words.
"""

from __future__ import annotations

import re

SYNONYM_WEIGHT = 0.35  # a synonym's match counts for about a third of the word typed

# Words that mean the same thing: each finds the others.
_EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("bin", "bins", "waste", "refuse", "rubbish"),
    ("gritting", "gritter", "gritters", "salting"),
    ("gis", "geospatial"),
    ("a-z", "az"),
)
# A general word finds the particular ones, not the other way round: `drupal` must not find Umbraco.
_NARROWER: dict[str, tuple[str, ...]] = {
    "bin": ("recycling",),
    "bins": ("recycling",),
    "waste": ("recycling",),
    "gis": ("qgis", "arcgis"),
    "map": ("gis",),
    "maps": ("gis",),
    "mapping": ("gis",),
    "pothole": ("defects",),
    "potholes": ("defects",),
    "cms": ("drupal", "wordpress", "umbraco", "wagtail"),
    "sso": ("saml", "openid", "oauth"),
    "crm": ("dynamics", "salesforce"),
    "foi": ("freedom",),
}

# "A to Z" (and "A - Z") is how councils name the index of their services; the index keeps "A-Z".
_A_TO_Z = re.compile(r"\ba\s*(?:to|-)\s*z\b", re.IGNORECASE)


def _table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group in _EQUIVALENTS:
        for word in group:
            table.setdefault(word, []).extend(w for w in group if w != word)
    for word, narrower in _NARROWER.items():
        table.setdefault(word, []).extend(narrower)
    return {word: tuple(dict.fromkeys(others)) for word, others in table.items()}


SYNONYMS: dict[str, tuple[str, ...]] = _table()


def normalise_phrases(text: str) -> str:
    """Rewrite multi-word forms the analyser cannot see whole (`a to z` -> `a-z`)."""
    return _A_TO_Z.sub("a-z", text)


def synonyms(word: str) -> tuple[str, ...]:
    """Other words for `word` (lower case), or () when it has none."""
    return SYNONYMS.get(word.lower(), ())
