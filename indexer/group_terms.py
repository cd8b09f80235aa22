"""The words that say what a repository *is*, for grouping similar work across councils.

Search wants every word a person might type; grouping wants only the words that tell one kind of
software from another. So a README's sections about installing, running, testing, licensing and
contributing are left out (and a framework's template README entirely), boilerplate words (install,
npm, run, licence, frontend...), stop words and numbers are dropped, words are stemmed (components
-> compon), a few compounds are joined (front end, front-end -> frontend), a few names for the same
kind of thing are made one (style guide, pattern library -> design system), words that name one kind
of work among others also count as the kind (leaflet, arcgis -> map), and adjacent words are also
kept as bigrams, which carry most of the meaning ("alert banner", "design system").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh.lang.porter2 import stem as porter2_stem

from councilcode.indexer.names import document_vocabulary, segment, split_identifier, topic_words
from councilcode.indexer.readme_text import readme_format, readme_to_text
from councilcode.records import Repository

# A README's opening says what the project is; the rest is mostly how to install and run it.
README_WORDS = 400
README_SOURCE_CHARS = 8_000  # enough Markdown for README_WORDS words of prose, badges and all
LEAD_WORDS = 40  # the opening, which counts as much as a description
TITLE_LINES = 8  # a README's title is its first line, after any badges and blank lines
# Field weights: a name or a description is a deliberate summary, a README word one of hundreds.
NAME_WEIGHT = 4.0
DESCRIPTION_WEIGHT = 2.0
TOPIC_WEIGHT = 2.0
README_WEIGHT = 1.0
# Two words together are far more specific than either ("alert banner", "open data").
BIGRAM_WEIGHT = 2.0
BIGRAM_SEPARATOR = " "

_STOP_WORDS = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each either else etc even ever every
    few for from further get gets got had has have having he her here hers him his how however i if in
    into is it its itself just let like made make makes many may me might more most much must my need
    needs no nor not now of off often on once one only or other others our ours out over own per please
    quite rather really same see seen she should since so some such than that the their theirs them then
    there these they this those though through thus to too under until up upon us use used uses using
    very via want was way we well were what when where whether which while who whom whose why will with
    within without would yet you your yours eg ie tbd two three four five six seven eight nine ten
    hundred hundreds thousand thousands million millions
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Words every kind of council repository uses about itself, its tooling or its housekeeping: they
# say how a project is built, run or shared, not what it is for.
_BOILERPLATE = """
    install installed installing installation installs npm yarn pnpm pip composer gem gems bundle bundler
    nuget run runs running runner start started starting launch setup set configure configured
    configuration config settings env environment environments variable variables local locally
    localhost dev develop developer developers development production prod staging deploy deployed
    deployment deployments build builds building built compile test tests testing tested unit
    lint linting readme repository repositories repo repos github gitlab git branch branches clone
    cloning fork commit commits merge pull push request requests issue issues pr prs release
    releases version versions versioning changelog licence license licenses licences licensed
    copyright copyrights mit gpl apache warranty rights reserved crown contributing
    contribute contributor contributors contribution contributions maintainer maintainers
    maintained maintain conduct code codebase source project projects file files folder folders
    directory directories command commands line terminal shell console script scripts docker
    dockerfile compose container containers kubernetes makefile council councils borough county
    city district metropolitan london uk gov govuk government authority authorities
    team digital service services new example examples following follow step steps instructions
    note notes information info details detail documentation docs doc guide guides see read
    link links click page website site please thank thanks welcome feel free help support
    supported open source opensource work works working first next last latest current currently
    available able also ensure make sure simply simple easy quick quickly basic based
    http https www com org net html md txt json yaml yml xml api apis app apps application
    applications web tool tools package packages dependencies
    dependency requirement requirements required require requires prerequisites software
    database server client
    provide provides provided providing contain contains containing contained include includes included
    including additional necessary add adds added adding create creates created creating allow allows
    allowed enable enables enabled disable disabled default defaults visit get getting copy show shows
    list lists listed listing type types name names named naming section sections function functions
    implement implemented implementation implementations implements implementing top bug bugs security
    author authors feature features vote reaction reactions
    change changes changed update updates updated new old good better best high real value values
    process processes processing call calls called make making made template templates host hosted
    hosting option options field fields key keys path paths root src dist lib usr tmp etc
    support overview introduction usage purpose intended aim aims goal goals various different
    across around able help helps helpful thing things something way ways lot lots
    frontend backend javascript typescript java assets compiled spa purely
"""
BOILERPLATE = frozenset(_BOILERPLATE.split())

# Two-letter words worth keeping: they name things (UI, AI, HR); the rest are fragments (js, os, db).
SHORT_WORDS = frozenset({"ui", "ux", "ai", "hr", "qr", "ev"})

# Pairs people write apart, hyphenated or joined: one form for all.
COMPOUNDS: dict[tuple[str, str], str] = {
    ("front", "end"): "frontend",
    ("back", "end"): "backend",
    ("local", "gov"): "localgov",
    ("web", "site"): "website",
    ("data", "set"): "dataset",
    ("data", "sets"): "datasets",
    ("style", "sheet"): "stylesheet",
    ("style", "sheets"): "stylesheets",
    ("work", "flow"): "workflow",
    ("geo", "json"): "geojson",
    ("dot", "net"): "dotnet",
    ("arc", "gis"): "arcgis",
    ("open", "layers"): "openlayers",
    ("map", "box"): "mapbox",
}

# Different names for one kind of thing, made one so that they meet; the longest match wins ("coding
# style guide" is a standard, "style guide" a design system). Short and general on purpose, like the
# search synonyms (indexer/synonyms.py): only names councils use for the same thing.
_DESIGN_SYSTEM = ("design", "system")
CONCEPTS: dict[tuple[str, ...], tuple[str, ...]] = {
    **{
        variant: _DESIGN_SYSTEM
        for variant in (
            ("design", "guide"),
            ("style", "guide"),
            ("styleguide",),
            ("style", "system"),
            ("pattern", "library"),
            ("component", "library"),
            ("components", "library"),
            ("ui", "kit"),
            ("ui", "library"),
            ("frontend", "toolkit"),
            ("design", "language"),
        )
    },
    ("coding", "style", "guide"): ("coding", "standards"),
    ("coding", "style"): ("coding", "standards"),
    ("word", "press"): ("wordpress",),
    ("wp",): ("wordpress",),
    ("share", "point"): ("sharepoint",),
    # "open" alone is boilerplate (open source), so open data is kept as one word
    ("open", "data"): ("opendata",),
    ("gov", "uk", "pay"): ("govpay",),
    ("govuk", "pay"): ("govpay",),
    ("gov", "pay"): ("govpay",),
    ("address", "base"): ("addressbase",),
    ("land", "and", "property", "gazetteer"): ("gazetteer",),
    ("bin", "collection"): ("bin", "collections"),
}

# Words that name one kind of work among others of its kind: each also counts as the kind's own
# term, so a Leaflet map and an OpenLayers map meet on "map" while keeping their own words.
# `indexer.group_kinds` takes the words that also say a kind in a repository's name from here.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "design system": (
        "components",
        "style",
        "styles",
        "stylesheet",
        "stylesheets",
        "css",
        "scss",
        "sass",
        "styleguide",
    ),
    "map": ("map", "maps", "mapping", "leaflet", "openlayers", "mapbox", "arcgis", "webmap", "gis"),
    "waste": ("bin", "bins", "waste", "recycling", "recycle", "rubbish", "refuse"),
    "gazetteer": ("gazetteer", "gazetteers", "addressbase", "llpg", "geocoder", "geocoding", "uprn"),
    "dashboard": ("dashboard", "dashboards", "shiny"),
    "opendata": ("ckan",),
    "geodata": ("geojson", "osgb", "osgb36", "shapefile", "shapefiles", "kml", "geopackage", "wgs84"),
}
_KIND_OF = {
    word: BIGRAM_SEPARATOR.join(porter2_stem(part) for part in kind.split())
    for kind, words in KIND_WORDS.items()
    for word in words
}


# The kinds' terms, which TermExtractor adds to a repository's weights for any of a kind's words.
KIND_TERMS = frozenset(_KIND_OF.values())


def kind_words(term: str) -> tuple[str, ...]:
    """The words that count as the kind term `term` ("gazett" -> gazetteer, llpg, geocoder...)."""
    return tuple(word for word, kind in _KIND_OF.items() if kind == term)


def variants(words: str) -> tuple[str, ...]:
    """The single words written for `words` ("wordpress" -> wp, "design system" -> styleguide)."""
    wanted = tuple(words.split())
    return tuple(variant[0] for variant, concept in CONCEPTS.items() if len(variant) == 1 and concept == wanted)


_FIRSTS = frozenset(first for first, _ in COMPOUNDS) | frozenset(variant[0] for variant in CONCEPTS)
_LONGEST_CONCEPT = max(len(variant) for variant in CONCEPTS)
_DROPPED = STOP_WORDS | BOILERPLATE

# Words, and punctuation that ends a phrase (no bigram is made across it).
_TOKEN = re.compile(r"[^\W_]+(?:['’][a-z]+)?|[.,;:!?()\[\]{}<>|\"=*/\\\n]")

# Markdown, cheaply: the words of a README need no parse tree (markdown-it would cost ten times
# as much, and grouping reads every README in the catalogue on every change).
_FENCE = re.compile(r"^ {0,3}(```|~~~).*?(?:^ {0,3}\1[^\n]*$|\Z)", re.MULTILINE | re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:.*$", re.MULTILINE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)\S+", re.IGNORECASE)
_ADMONITION = re.compile(r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.IGNORECASE)


def markdown_words_text(source: str) -> str:
    """Markdown (or plain text) with code blocks, images, link targets, tags and URLs taken out."""
    text = _FENCE.sub("\n", source)
    text = _HTML_COMMENT.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _ADMONITION.sub(" ", text)
    return _URL.sub(" ", text)


def readme_about(repo: Repository) -> tuple[str, str]:
    """What the README says the project is, as plain text, and its title.

    The text is its opening and the sections about what it does, without the sections about
    installing, running, testing, deploying, licensing or contributing, and without a framework's
    template text: Markdown cheaply, other formats through the indexer's converter (reStructuredText,
    RDoc and HTML READMEs are few). The title is the heading it opens with ("Hackney Design System",
    "Umbraco User Access Manager"), a summary its authors chose like the repository's name, or ""
    when it opens otherwise, is a template's or is not Markdown."""
    source = (repo.readme or "")[:README_SOURCE_CHARS]
    if not source:
        return "", ""
    if readme_format(repo.readme_path) in ("markdown", "text"):
        text = markdown_words_text(source)
        about = about_sections(text)
        return about, readme_title(text) if about else ""
    return readme_to_text(source, repo.readme_path), ""


def readme_title(text: str) -> str:
    """The heading `text` (Markdown without code and links) opens with, unless it is a housekeeping
    heading ("Contents", "Installation"), else ""."""
    lines = [line for line in text.splitlines()[:TITLE_LINES] if line.strip()]
    if not lines:
        return ""
    heading, _ = _heading(lines[0], lines[1] if len(lines) > 1 else "")
    if not heading or set(re.findall(r"[a-z]+", heading.lower())) & (_HOUSEKEEPING_HEADINGS | {"contents"}):
        return ""
    return heading


# A section under a heading with one of these words is about building, running or sharing the
# project, not about what it is.
_HOUSEKEEPING = """
    install installation installing installer setup started prerequisites prerequisite requirements
    dependencies dependency running run deploy deployment deploying deployments build building test tests
    testing licence license licenses licences copyright contributing contribute contributors contribution
    development developing developers configuration configure config environment environments variables
    troubleshooting changelog release releases versioning contact contacts maintainers maintainer authors
    credits acknowledgements acknowledgments conduct security docker scripts commands quick quickstart
    usage todo roadmap contents faq support help debugging linting local locally upgrading migrations built bugs
    issues
"""
_HOUSEKEEPING_HEADINGS = frozenset(_HOUSEKEEPING.split())
# The openings of framework templates' READMEs, which say what made the project, not what it is.
_SCAFFOLDING = re.compile(
    r"this template provides a minimal setup|bootstrapped with \W*create react app|"
    r"this project was generated with \W*angular cli|is a \W*next\.?js\W* project bootstrapped|"
    r"this template should help get you started developing|getting started with create react app",
    re.IGNORECASE,
)
_ATX = re.compile(r"^ {0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")


def about_sections(text: str) -> str:
    """`text` (Markdown with code and links already taken out) without housekeeping sections."""
    lines = text.splitlines()
    kept: list[str] = []
    skipping = False
    level = 0  # the heading level that started the skipped section
    underline = False  # the line is a Setext heading's underline
    for i, line in enumerate(lines):
        if underline:
            underline = False
            continue
        heading, depth = _heading(line, lines[i + 1] if i + 1 < len(lines) else "")
        underline = heading is not None and not _ATX.match(line)
        if heading is None:
            if not skipping:
                kept.append(line)
            continue
        if skipping and depth > level:
            continue  # a subsection of a skipped section
        words = set(re.findall(r"[a-z]+", heading.lower()))
        skipping = bool(words & _HOUSEKEEPING_HEADINGS) or bool(_SCAFFOLDING.search(heading))
        level = depth
        if not skipping:
            kept.append(heading + ".")
    about = "\n".join(kept)
    if _SCAFFOLDING.search(about[:600]):
        return ""
    return about


def _heading(line: str, following: str) -> tuple[str | None, int]:
    """(heading text, level) when `line` is a heading, else (None, 0)."""
    match = _ATX.match(line)
    if match and (match.group(2) or not line.strip("# ")):
        return match.group(2), len(match.group(1))
    setext = _SETEXT.match(following)
    if setext and line.strip() and not _SETEXT.match(line):
        return line.strip(), 1 if setext.group(1)[0] == "=" else 2
    return None, 0


@dataclass
class RepositoryTerms:
    """A repository's weighted terms: stems and stem bigrams ("alert banner")."""

    weights: Counter[str] = field(default_factory=Counter)
    # the name's words as kept (a name is the summary its authors chose), for labels
    name_words: tuple[str | None, ...] = ()
    name_terms: frozenset[str] = frozenset()
    # the words that named a kind of work (geocoder for "gazett"), for searching a kind's group
    kind_words: set[str] = field(default_factory=set)
    name_parts: tuple[str, ...] = ()  # the name's words as written, before any are joined or renamed
    # the terms of the README's title ("design system" for "Hackney Design System"): a summary its
    # authors chose, like the name
    title_terms: frozenset[str] = frozenset()


class TermExtractor:
    """Terms of repositories, remembering the words it has seen: a catalogue repeats the same few
    thousand words, and splitting and stemming each occurrence afresh would be most of the cost.
    Make one per grouping run."""

    def __init__(self) -> None:
        self._stems: dict[str, str] = {}
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._counts: Counter[str] = Counter()  # every kept word seen, for writing stems back as words
        self._pairs: dict[str, str] = {}  # stem bigram -> how it was first written
        self._spellings: dict[str, str] | None = None

    def stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            found = self._stems[word] = porter2_stem(word)
        return found

    def _parts(self, token: str) -> tuple[str, ...]:
        found = self._tokens.get(token)
        if found is None:
            if token.isalpha() and (token.islower() or token.istitle() or token.isupper()):
                found = (token.lower(),)
            else:
                found = tuple(part.lower() for part in split_identifier(token)) or ("",)
            self._tokens[token] = found
        return found

    def words(self, text: str) -> list[str | None]:
        """Lower-case words of `text`, identifiers split, compounds joined, concepts named one way.
        None marks a break (a stop word, boilerplate, a number, punctuation or a line end) that no
        bigram crosses."""
        raw: list[str] = []
        parts = self._parts
        for token in _TOKEN.findall(text):
            if len(token) == 1 and not token.isalnum():
                raw.append("")
            else:
                raw.extend(parts(token))
        if not _FIRSTS.isdisjoint(raw):
            raw = _rewrite(raw)
        return [None if word in _DROPPED or not _keep(word) else word for word in raw]

    def _add(self, terms: RepositoryTerms, sequence: list[str | None], weight: float, bigrams: bool = True) -> None:
        previous: str | None = None  # the stem of the word before, if it counts
        previous_word = ""
        weights = terms.weights
        stem = self.stem
        for word in sequence:
            if word is None:
                previous = None
                continue
            key = stem(word)
            weights[key] += weight
            kind = _KIND_OF.get(word)
            if kind is not None:
                terms.kind_words.add(word)
                if kind != key:
                    weights[kind] += weight
            if bigrams and previous is not None and previous != key:
                pair = previous + BIGRAM_SEPARATOR + key
                weights[pair] += weight * BIGRAM_WEIGHT
                if pair not in self._pairs:
                    self._pairs[pair] = previous_word + " " + word
            previous, previous_word = key, word
        self._counts.update(filter(None, sequence))

    def plain_terms(self, sequence: list[str | None]) -> frozenset[str]:
        """The stems and stem bigrams of `sequence`, without the kinds its words name (a title's
        "sass" says what a page is styled with, not that it is a design system)."""
        stems = [None if word is None else self.stem(word) for word in sequence]
        pairs = (f"{a}{BIGRAM_SEPARATOR}{b}" for a, b in zip(stems, stems[1:], strict=False) if a and b and a != b)
        return frozenset(filter(None, stems)) | frozenset(pairs)

    def spell(self, term: str, names: Sequence[Sequence[str | None]] = ()) -> str:
        """A term as people write it: as most of `names` (the name words of the repositories it
        describes) write it if any does, else as a bigram was first written, else each stem as its
        most frequent word."""
        found = self._spell_from_names(term, names) or self._pairs.get(term)
        if found:
            return found
        if self._spellings is None:
            best: dict[str, tuple[int, str]] = {}
            for word, count in self._counts.items():
                key = self._stems.get(word) or self.stem(word)
                if (count, word) > best.get(key, (0, "")):
                    best[key] = (count, word)
            self._spellings = {key: word for key, (_, word) in best.items()}
        return " ".join(self._spellings.get(part, part) for part in term.split(BIGRAM_SEPARATOR))

    def _spell_from_names(self, term: str, names: Sequence[Sequence[str | None]]) -> str | None:
        wanted = term.split(BIGRAM_SEPARATOR)
        size = len(wanted)
        seen: Counter[str] = Counter()
        for name in names:
            for i in range(len(name) - size + 1):
                window = [word for word in name[i : i + size] if word is not None]
                if len(window) == size and [self.stem(w) for w in window] == wanted:
                    seen[" ".join(window)] += 1
        if not seen:
            return None
        return min(seen.items(), key=lambda item: (-item[1], item[0]))[0]

    def _readme_words(self, text: str) -> list[str | None]:
        """The first README_WORDS kept words of a README's text, with breaks."""
        sequence = self.words(text)
        return sequence[: _kept_prefix(sequence, README_WORDS)]

    def terms(self, repo: Repository) -> RepositoryTerms:
        """Weighted terms of a repository's name, description, topics and README opening."""
        terms = RepositoryTerms()
        self._spellings = None
        about, title = readme_about(repo)
        readme = self._readme_words(about)
        if title:
            terms.title_terms = self.plain_terms(self.words(title))
        terms.name_parts = tuple(self.name_parts(repo, readme))
        name = self.words(" ".join(terms.name_parts))
        self._add(terms, name, NAME_WEIGHT)
        terms.name_words = tuple(name)
        terms.name_terms = frozenset(terms.weights)
        if repo.description:
            self._add(terms, self.words(repo.description), DESCRIPTION_WEIGHT)
        if repo.topics:
            self._add(terms, self.words(" ".join(topic_words(repo.topics))), TOPIC_WEIGHT, bigrams=False)
        lead = _kept_prefix(readme, LEAD_WORDS)
        self._add(terms, readme[:lead], DESCRIPTION_WEIGHT)
        self._add(terms, readme[lead:], README_WEIGHT)
        return terms

    def name_parts(self, repo: Repository, readme: list[str | None]) -> list[str]:
        """The name as words in order (`lbcamden-frontend` -> lb camden frontend); run-together
        lower-case names are split with the README's own words as the vocabulary."""
        parts: list[str] = []
        vocabulary: frozenset[str] | None = None
        for part in split_identifier(repo.name):
            lower = part.lower()
            if len(lower) >= 5 and lower.isalpha():  # only these can be run-together words
                if vocabulary is None:
                    vocabulary = document_vocabulary(" ".join(w for w in readme if w), repo.description)
                parts.extend(segment(lower, vocabulary) or [lower])
            else:
                parts.append(lower)
        return parts


def _keep(word: str) -> bool:
    return (len(word) > 2 or word in SHORT_WORDS) and word.isalpha()


def _rewrite(raw: list[str]) -> list[str]:
    """Join compounds (front end -> frontend), then name concepts one way (style guide -> design system)."""
    joined: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        word = raw[i]
        if word in _FIRSTS and i + 1 < n and (word, raw[i + 1]) in COMPOUNDS:
            word = COMPOUNDS[(word, raw[i + 1])]
            i += 1
        joined.append(word)
        i += 1
    out: list[str] = []
    i, n = 0, len(joined)
    while i < n:
        word = joined[i]
        if word in _FIRSTS:
            for size in range(min(_LONGEST_CONCEPT, n - i), 0, -1):
                concept = CONCEPTS.get(tuple(joined[i : i + size]))
                if concept:
                    out.extend(concept)
                    i += size
                    break
            else:
                out.append(word)
                i += 1
            continue
        out.append(word)
        i += 1
    return out


def _kept_prefix(sequence: list[str | None], limit: int) -> int:
    """How long the prefix of `sequence` holding its first `limit` words is."""
    kept = 0
    for i, word in enumerate(sequence):
        if word is not None:
            kept += 1
            if kept > limit:
                return i
    return len(sequence)
