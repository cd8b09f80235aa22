"""Words council developers use for the same thing, searched at a lower weight than what was typed.

General council and developer vocabulary (waste services, winter roads, housing, elections,
gazetteers, mapping, content management, sign-in, British and American spellings), so a query in one
council's words still finds another council's code written in other words. Each entry was taken out in
turn and the judged queries (tests/relevance/judgements.yaml) measured: none makes them worse (most
change nothing there; they are the same kind of vocabulary). The names of several words (`_NAMES`),
the pay, address, sso and waste-system entries were measured the same way in a second round, and kept
only where the judged set gained with them; entries that changed nothing there were left out. A third
round added the household waste tip, grid references, workflows and snagging, general council and
developer vocabulary found missing on the second held-out set, each kept only where taking it out
lowered that set and adding it lowered no class of any set (latitude/longitude abbreviations changed
nothing and were left out). A fourth round (CI/CD, autocomplete, customer accounts, open source,
static sites) was drawn from the concepts the corpus READMEs' openings and headings name most and the
third held-out set missed; 32 more concept groups drawn the same way (APIs, bookings, parking,
licensing, council tax, elections, intranets...) were measured and left out: most changed no judged
query, some lowered one, and none moved the fourth held-out set, written before the round. A fifth
round drew its concepts from that set's misses (large language models, staff phone books, committee
systems, job vacancies, headless CMSs), each kept only where taking it out lowered the set and adding
it lowered no query of any set (hybrid-app frameworks lowered it, and ETL's names lowered "data
pipeline": both left out); the fifth set, written before that round, did not move with it. A sixth
round did the same with the fifth set's misses (social isolation, food hygiene inspections, reporting
a problem, public APIs; A/B testing, free school meals, record linkage, e-scooters, LSOAs and mobile
working changed nothing once their names were ones the index can find, and were left out). The sixth
set, written before that round, is the honest figure for queries the vocabulary was not built from
(tests/relevance/judgements.yaml).

Names are matched by their stems, as the index keeps them: a name the analyser takes down to one word
(`report it`, "A/B testing") or to another word (Contentful is `content`, lonely is `lone`) would find
that word everywhere, so such names are left out (tests/test_search_ranking.py checks the first).
"""

from __future__ import annotations

import re

SYNONYM_WEIGHT = 0.35  # a synonym's match counts for about a third of the word typed
# Another name for a name of several words typed (`single sign on`: SAML) counts for more: a phrase
# has one sense, where a single word's synonyms may be of another of its senses.
PHRASE_SYNONYM_WEIGHT = 0.7

# The large language models councils call, by product name.
_LLM_PRODUCTS = ("openai", "gpt", "chatgpt")

# Words that mean the same thing: each finds the others. British and American spellings belong
# here too: council READMEs use both.
_EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("bin", "bins", "waste", "refuse", "rubbish"),
    ("gritting", "gritter", "gritters"),
    ("gis", "geospatial"),
    ("a-z", "az"),
    ("road", "roads", "highway", "highways"),
    ("tenancy", "tenancies", "tenure", "tenures", "tenant", "tenants"),
    ("election", "elections", "electoral", "voting", "vote", "votes", "ballot"),
    ("attainment", "achievement"),
    # Stemming keeps these apart (analysi, analys, analyst), though they are one subject.
    ("analysis", "analyse", "analyses", "analysing", "analyze", "analyzing", "analytics", "analyst", "analysts"),
    ("merge", "join", "joiner", "combine"),
    ("closure", "closures", "closed", "shut"),
    ("chatbot", "chatbots", "bot"),
    ("accessibility", "wcag", "a11y"),
    ("webform", "webforms", "form", "forms"),
    ("licence", "license", "licences", "licenses"),
    ("colour", "color"),
    ("organisation", "organization"),
    ("catalogue", "catalog"),
    ("centre", "center"),
    ("visualisation", "visualization"),
    ("pay", "payment", "payments"),
    # Jobs at the council. Not `jobs` itself: in READMEs those are mostly background or CI jobs, so
    # it is only found (below), never a finder.
    ("vacancy", "vacancies", "careers", "recruitment"),
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
    # Not Contentful: its stem is `content`, which every CMS's README says.
    "cms": ("drupal", "wordpress", "umbraco", "wagtail", "jadu"),
    # "Sign in": `in` is a stop word, so the phrase is the word.
    "sign": ("login", "authentication"),
    "sso": ("saml", "openid", "oauth", "authentication"),
    "login": ("saml", "openid", "oauth", "authentication"),
    "crm": ("dynamics", "salesforce", "verint"),
    "foi": ("freedom",),
    "assistant": ("chatbot", "chatbots"),
    "gazetteer": ("llpg", "nlpg", "addressbase"),
    "llpg": ("gazetteer", "addressbase", "uprn"),
    # A council's addresses are kept in its gazetteer (LLPG), from Ordnance Survey's AddressBase.
    "address": ("addressbase", "gazetteer", "uprn"),
    "addresses": ("addressbase", "gazetteer", "uprn"),
    "nlpg": ("gazetteer", "addressbase", "uprn"),
    "notice": ("alert", "banner"),
    "snow": ("weather",),
    "mobile": ("ios", "android"),
    "iphone": ("ios",),
    # A new home's defects are its snags; councils' new build teams call the list of them snagging.
    "snagging": ("defect", "defects"),
    "snags": ("defect", "defects"),
    # The tip typed finds the household waste recycling centre; not the other way round, since a
    # README's "tip" is far more often a hint ("Tip: run npm install") than a place for rubbish.
    # Not `dump`: in code it is more often a database's or a variable's.
    "tip": ("household waste recycling centre", "hwrc", "recycling centre", "recycling site", "waste site"),
    "vacancy": ("jobs",),
    "vacancies": ("jobs",),
    "careers": ("jobs",),
    "recruitment": ("jobs",),
    "llm": _LLM_PRODUCTS,
    "llms": _LLM_PRODUCTS,  # the stemmer leaves `llms` whole
    "genai": _LLM_PRODUCTS,
}
# Several words that name one thing, and other words for it. Each word of the phrase, where the
# phrase is typed, also finds these (at PHRASE_SYNONYM_WEIGHT), so a README using the other name
# matches the whole phrase. Matched by stems, so plurals count (`press releases`).
_PHRASES: dict[str, tuple[str, ...]] = {
    "single sign on": ("sso", "saml", "openid", "oauth", "authentication"),
    "press release": ("news", "newsroom"),
    "waiting list": ("register",),
    "air pollution": ("quality",),
    "air quality": ("pollution",),
    "design system": ("styleguide", "frontend", "components"),
    "style guide": ("styleguide", "design", "frontend"),
    "pattern library": ("styleguide", "design", "components"),
    "service directory": ("directories", "hub"),
    "speech to text": ("transcription", "transcribe"),
    "card payment": ("payment", "pay"),
    # The waste management systems councils integrate with, by product name.
    "waste management": ("bartec", "whitespace"),
    # The generators that build sites of plain files.
    "static site generator": ("jekyll", "gatsby", "hugo", "eleventy"),
    "large language model": _LLM_PRODUCTS,
    "generative ai": _LLM_PRODUCTS,
    # Content management systems that serve content through an API, by product name. Not Contentful
    # (its stem is `content`) nor Sanity ("sanity checks").
    "headless cms": ("strapi", "prismic", "directus"),
}

# Names for one thing, some of several words: each finds the others. A name of several words is
# found in a query by its stems in a row, and finds documents only where all its words are (a
# compound alternative, see indexer.query), so `salt spreading` does not find every cryptographic salt.
_NAMES: tuple[tuple[str, ...], ...] = (
    # Winter road maintenance: the gritters spread salt.
    # Not `salting` alone: its stem is `salt`, which in code is more often a password hash's.
    ("gritting", "gritters", "salt spreading", "salt spreader", "winter maintenance", "road salting"),
    # The banner a council puts across every page of its website in an emergency.
    ("alert banner", "emergency banner", "emergency notice", "emergency alert", "announcement banner"),
    # Shared styles and components for a council's services.
    (
        "design system",
        "component library",
        "pattern library",
        "style guide",
        "styleguide",
        "frontend components",
        "ui components",
        "ui kit",
    ),
    # Where residents take household waste, to councils a household waste recycling centre. (The tip,
    # its everyday name, is in _NARROWER: in READMEs "tip" is far more often a hint.)
    ("household waste recycling centre", "hwrc", "recycling centre", "recycling site", "waste site"),
    # A point on the British National Grid (Ordnance Survey's OSGB36), as READMEs name it.
    ("grid reference", "easting northing", "national grid", "osgb36", "osgb"),
    # Running steps of work in order: a workflow engine orchestrates a state machine's states.
    ("workflow", "workflows", "orchestration", "orchestrate", "state machine", "step functions"),
    # Building and releasing code automatically.
    (
        "ci cd",
        "continuous integration",
        "continuous deployment",
        "continuous delivery",
        "deployment pipeline",
        "build pipeline",
        "release pipeline",
    ),
    # Suggestions offered while the user is still typing.
    (
        "autocomplete",
        "auto complete",
        "typeahead",
        "type ahead",
        "search as you type",
        "instant search",
        "search suggestions",
        "predictive search",
    ),
    # A resident's own account on the council's website.
    (
        "customer portal",
        "customer account",
        "my account",
        "myaccount",
        "self service portal",
        "citizen portal",
        "resident portal",
        "online account",
        "customer self service",
    ),
    # Publishing code for others to reuse.
    ("open source", "opensource", "sharing code", "code sharing", "coding in the open"),
    # Sites of plain files.
    ("static site", "static website"),
    # Large language models by what they are; their products are above.
    ("large language model", "llm", "llms", "generative ai", "genai"),
    # Finding a colleague's phone number or email address.
    (
        "phone book",
        "phonebook",
        "staff directory",
        "employee directory",
        "people directory",
        "people finder",
        "internal directory",
    ),
    # Agendas, reports, minutes and decisions of council committees (Modern.Gov is the common product).
    ("committee management", "committee system", "modern gov", "moderngov", "democracy system"),
    ("headless cms", "api first cms", "content api"),
    # Public health's name for being cut off from others, and the everyday one. Not `lonely`: its stem
    # is `lone`, as in lone working.
    ("social isolation", "loneliness"),
    # Food businesses' inspections and the ratings the Food Standards Agency publishes (FHRS).
    (
        "food hygiene",
        "food safety",
        "restaurant inspection",
        "hygiene rating",
        "fhrs",
        "scores on the doors",
    ),
    # Residents telling the council something is wrong (FixMyStreet is the common product). Not
    # "report it": without its stop word that is every report.
    ("report a problem", "report a fault", "report a defect", "report an issue", "fault reporting", "fixmystreet"),
    # Not `open api`: that is the OpenAPI description format, which most APIs' READMEs name.
    ("public api", "open data api"),
)

# "A to Z" (and "A - Z") is how councils name the index of their services; the index keeps "A-Z".
_A_TO_Z = re.compile(r"\ba\s*(?:to|-)\s*z\b", re.IGNORECASE)


def _table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group in _EQUIVALENTS:
        for word in group:
            table.setdefault(word, []).extend(w for w in group if w != word)
    for word, narrower in _NARROWER.items():
        table.setdefault(word, []).extend(narrower)
    for names in _NAMES:
        for name in names:
            if " " not in name:
                table.setdefault(name, []).extend(other for other in names if other != name)
    return {word: tuple(dict.fromkeys(others)) for word, others in table.items()}


SYNONYMS: dict[str, tuple[str, ...]] = _table()


def normalise_phrases(text: str) -> str:
    """Rewrite multi-word forms the analyser cannot see whole (`a to z` -> `a-z`)."""
    return _A_TO_Z.sub("a-z", text)


def synonyms(word: str) -> tuple[str, ...]:
    """Other words for `word` (lower case), or () when it has none."""
    return SYNONYMS.get(word.lower(), ())


def phrases() -> dict[str, tuple[str, ...]]:
    """{phrase (lower case, words separated by spaces): other words for it}."""
    found = {phrase: list(others) for phrase, others in _PHRASES.items()}
    for names in _NAMES:
        for name in names:
            if " " in name:
                found.setdefault(name, []).extend(other for other in names if other != name)
    return {phrase: tuple(dict.fromkeys(others)) for phrase, others in found.items()}
