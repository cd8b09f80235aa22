"""Kinds of council work: a repository whose name or strongest terms say it is one kind of work (a
design system, a Drupal module, a bin collection tool, an address gazetteer) is grouped with the
other councils' work of that kind.

Bag-of-words similarity alone does not put fifteen design systems in one group: two of them share
"design system" and little else, so average linkage splits them into pieces, and single linkage
would chain unrelated work in. A short, hand-made vocabulary of the kinds of work councils build
(general council vocabulary, like the concepts in `indexer.group_terms`) says instead what a
repository is. Measured against the judged families in docs/collaborate.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy import sparse

from councilcode.indexer.group_terms import KIND_WORDS, RepositoryTerms


@dataclass(frozen=True)
class Kind:
    """A kind of work: its plain name, the terms (stems and stem bigrams, as `TermExtractor` makes
    them) that say it in a README, and the words (lower case, as names are split) that say it in a
    repository's name. A platform kind (Drupal, Jadu) says what the work is built on, the others
    what it is for: a repository can be one of each (a Drupal site search)."""

    key: str
    label: str
    terms: tuple[str, ...]
    names: frozenset[str]  # words and two-word phrases
    platform: bool = False


@dataclass(frozen=True)
class KindOf:
    """A repository's kind of work, and whether its name or README title says so (else its strongest
    terms do)."""

    kind: Kind
    named: bool


def _kind(key: str, label: str, terms: str, names: str | tuple[str, ...], *, platform: bool = False) -> Kind:
    """A kind from comma-separated terms and names; `names` may instead be a word list of
    `group_terms.KIND_WORDS`, where a kind's name words are the same as its words in a README."""
    words = names.split(",") if isinstance(names, str) else names
    return Kind(key, label, tuple(terms.split(",")), frozenset(n.strip() for n in words if n.strip()), platform)


# Platforms first: when a name says two kinds (a QGIS gazetteer plugin, LocalGov Umbraco), the
# platform is the repository's first kind, since someone building a plugin for it wants the others
# built for it; the kind of work it does is its second (see `kinds_of`).
KINDS: tuple[Kind, ...] = (
    _kind("umbraco", "Umbraco sites and packages", "umbraco", "umbraco", platform=True),
    _kind("wordpress", "WordPress themes and plugins", "wordpress", "wordpress", platform=True),
    # localgov_* is the LocalGov Drupal distribution's module prefix (LocalGovUmbraco is caught
    # above); the label is refined to plain Drupal when the members do not say LocalGov Drupal.
    _kind(
        "drupal",
        "LocalGov Drupal sites and modules",
        "drupal,localgov drupal",
        "drupal, lgdrupal, localgov",
        platform=True,
    ),
    _kind("sharepoint", "SharePoint customisations", "sharepoint", "sharepoint", platform=True),
    _kind("verint", "Verint customisations", "verint", "verint", platform=True),
    _kind("jadu", "Jadu CMS customisations", "jadu", "jadu", platform=True),
    _kind("qgis", "QGIS plugins", "qgis", "qgis", platform=True),
    # "components", not "component": a repository named after one component (a meeting scheduler)
    # is not a component library; nor does "sass" in a name say more than the technology.
    _kind(
        "design-system",
        "Design systems and component libraries",
        "design system",
        "design system, components, style, styles",
    ),
    _kind("map", "Web maps and map tools", "map", KIND_WORDS["map"]),
    _kind("gazetteer", "Address gazetteers and address lookup", "gazett", "gazetteer, llpg, addressbase, uprn"),
    _kind("waste", "Bins, waste and recycling", "wast", KIND_WORDS["waste"]),
    _kind("opendata", "Open data publishing", "opendata", "opendata, ckan"),
    _kind("dashboard", "Dashboards of local statistics", "dashboard", "dashboard, dashboards"),
    _kind("closures", "School and service closures", "school closur,closur", "closures"),
    _kind("govpay", "GOV.UK Pay integrations", "govpay", "govpay"),
    _kind("standards", "Coding standards and manuals", "code standard", "standards"),
    _kind("prototype-kit", "Prototypes made with the GOV.UK Prototype Kit", "prototyp kit", "prototype, prototypes"),
    _kind("food-hygiene", "Food hygiene", "food hygien", "food"),
    # Kinds of work that are often built on a platform (an intranet on Drupal, a Drupal site search),
    # so they are usually a repository's second kind.
    _kind("intranet", "Staff intranets", "intranet", "intranet"),
    # Search engines by name: "search" alone names searches of anything (housing records, map layers).
    _kind("search", "Site search", "solr,elasticsearch", "solr, elasticsearch, opensearch"),
    _kind(
        "forms",
        "Online forms and form builders",
        "webform,form builder",
        "form, forms, form builder, formbuilder, webform, webforms, eforms",
    ),
    _kind(
        "user-admin",
        "User account administration",
        "user admin,user account",
        "user admin, useradmin, user access, user accounts, user management",
    ),
    _kind("geodata", "Converting geographic data", "geodata", KIND_WORDS["geodata"]),
)

# A kind said only in the text counts when its term has at least this weight in the repository's
# unit TF-IDF row (among its strongest few terms). Measured: precision holds at 0.86 to 0.89 from
# 0.25 to 0.5 and falls to 0.75 at 0.22 (pages that mention Sass become design systems); 0.3
# keeps a margin below which that happens. See docs/collaborate.md.
KIND_WEIGHT = 0.3


def kinds_of(
    described: Sequence[RepositoryTerms], matrix: sparse.csr_matrix, terms: Sequence[str]
) -> list[tuple[KindOf, ...]]:
    """Each repository's kinds of work: none, one, or a platform and a kind of work (a Drupal site
    search). The first is its kind as before: a kind its name or README title says (the first in
    KINDS when they say two), else a kind whose term weighs at least KIND_WEIGHT in its row, of
    several the one its own text says most (raw weights, where a name and the README's opening
    count more than the rest). The second, of the other facet (platform or not), is found the
    same way among the kinds of that facet."""
    column = {term: j for j, term in enumerate(terms)}
    kind_columns = [[column[t] for t in kind.terms if t in column] for kind in KINDS]
    found: list[tuple[KindOf, ...]] = []
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for i, d in enumerate(described):
        named = _phrases(d.name_words)
        start, stop = indptr[i], indptr[i + 1]
        row = dict(zip(indices[start:stop].tolist(), data[start:stop].tolist(), strict=True))
        first = _kind_of(KINDS, kind_columns, named, row, d)
        if first is None:
            found.append(())
            continue
        others = [(k, c) for k, c in zip(KINDS, kind_columns, strict=True) if k.platform != first.kind.platform]
        second = _kind_of([k for k, _ in others], [c for _, c in others], named, row, d)
        found.append((first,) if second is None else (first, second))
    return found


def _phrases(words: Sequence[str | None]) -> set[str]:
    """The words of a name or title and its two-word phrases."""
    return {w for w in words if w} | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a and b}


def _kind_of(
    kinds: Sequence[Kind],
    kind_columns: Sequence[Sequence[int]],
    named: set[str],
    row: dict[int, float],
    described: RepositoryTerms,
) -> KindOf | None:
    """The first of `kinds` that the name (`named`: its words and two-word phrases) or the README's
    title says, else the one whose term passes KIND_WEIGHT that the text says most, else None. A
    title counts through the kinds' terms only: "LocalGov Digital" says no Drupal, and the Sass in
    "webAppViewSass" no design system (a name's words are the authors' choice of kind words; a
    title's are prose)."""
    title = described.title_terms
    by_name = next((kind for kind in kinds if named & kind.names or not title.isdisjoint(kind.terms)), None)
    if by_name is not None:
        return KindOf(by_name, named=True)
    best: tuple[float, Kind] | None = None
    for kind, columns in zip(kinds, kind_columns, strict=True):
        if max((row.get(j, 0.0) for j in columns), default=0.0) >= KIND_WEIGHT:
            said = max(described.weights.get(t, 0.0) for t in kind.terms)
            if best is None or said > best[0]:
                best = (said, kind)
    return KindOf(best[1], named=False) if best else None
