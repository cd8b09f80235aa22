"""The reuse checklist (issue 14): ten yes/no checks, each with a one-line reason, and their score.

Computed by the indexer at index time (the score is a sortable, filterable field) and shown by
the viewer from the same function, so the page explains exactly the number search sorts by. The
score is the number of checks passed, out of ten: every check counts the same, so a reader can
add it up from the ticks. It never changes relevance ranking.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from councilcode.dates import parse_timestamp
from councilcode.licences import is_open_licence, licence_label
from councilcode.publiccode import parse_publiccode
from councilcode.records import Repository

ACTIVE_WITHIN = timedelta(days=365)
DESCRIBED_WORDS = 15  # words of prose, besides headings, badges and links, that say what it is

# Root names (any case; folders end in "/" where the crawl knows them) that show tests or CI.
_TESTS = re.compile(
    r"(tests?|specs?|__tests__|testing|cypress|e2e|"
    r".+[._-](unit|integration|functional)?tests?|"  # GIFrameworkMaps.Tests, Escc.Foo.UnitTests, api-tests
    r".+_test\.go|test_.+\.py|.+_test\.py|.+\.(test|spec)\.[jt]sx?|"  # test files kept at the top
    r"phpunit\.xml(\.dist)?|pytest\.ini|tox\.ini|jest\.config\..+|karma\.conf\..+|playwright\.config\..+|"
    r"codeception\.yml|\.rspec)/?",
    re.IGNORECASE,
)
# CamelCase projects: AppTests, RepairsApiTest (case matters, or "latest" and "contest" would count).
_CAMEL_TESTS = re.compile(r"[A-Za-z0-9.]*[a-z0-9]Tests?/?")
_CI = re.compile(
    r"(\.travis\.ya?ml|\.gitlab-ci\.ya?ml|azure-pipelines\.ya?ml|jenkinsfile|\.circleci|bitbucket-pipelines\.yml|"
    r"appveyor\.ya?ml|\.drone\.ya?ml|\.buildkite|\.woodpecker(\.ya?ml)?|cloudbuild\.ya?ml)/?",
    re.IGNORECASE,
)
_CONTRIBUTING = re.compile(r"contributing(\.[a-z]+)?", re.IGNORECASE)
_INSTALL = re.compile(
    r"\b(install(ation|ing)?|getting started|get started|quick ?start|set ?up|setting up|how to (run|use|build)|"
    r"running (it )?locally|run (it )?locally|usage|deploy(ment|ing)?|build(ing)? (it|the)|requirements|"
    r"prerequisites|docker[- ]compose up|npm (install|ci|start|run)|yarn (install|start)|pip install|"
    r"composer (install|require)|dotnet (run|build|restore)|bundle install|go (run|build|get))\b",
    re.IGNORECASE,
)
# Tools' starter READMEs that councils often leave unchanged: they describe the tool, not the project.
_TEMPLATES = {
    "React + Vite": re.compile(r"\A\s*# React \+ Vite\b"),
    "Vue + Vite": re.compile(r"\A\s*# Vue 3 \+ (TypeScript \+ )?Vite\b"),
    "Create React App": re.compile(r"\A\s*# Getting Started with Create React App\b"),
    "Angular CLI": re.compile(r"\A\s*# \S+\s+This project was generated with \[Angular CLI\]"),
    "Next.js": re.compile(r"\A\s*This is a \[Next\.js\]\(https://nextjs\.org\) project bootstrapped"),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_LINK_OR_IMAGE = re.compile(r"!?\[[^\]]*\]\([^)]*\)|<[^>]+>|https?://\S+")


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Checklist:
    checks: tuple[Check, ...]

    @property
    def score(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def out_of(self) -> int:
        return len(self.checks)

    def to_api(self) -> dict[str, Any]:
        return {"score": self.score, "out_of": self.out_of, "checks": [asdict(c) for c in self.checks]}


# (id, label) in the order the page shows them; /about lists them from here.
CHECKS: tuple[tuple[str, str], ...] = (
    ("licence", "Open licence"),
    ("readme", "README says what it is"),
    ("install", "How to install or run"),
    ("contributing", "Contribution guide"),
    ("publiccode", "publiccode.yml"),
    ("active", "Active in the last 12 months"),
    ("release", "A release or tag"),
    ("tests", "Tests"),
    ("ci", "Continuous integration"),
    ("not_archived", "Not archived"),
)
EXPLANATIONS: dict[str, str] = {
    "licence": "GitHub or councilcode recognises an open licence (the Open Government Licence counts).",
    "readme": f"The README has at least {DESCRIBED_WORDS} words of its own besides headings, badges and links.",
    "install": "The README says how to install, set up, build or run it.",
    "contributing": "A CONTRIBUTING file at the top of the repository says how to take part.",
    "publiccode": "A publiccode.yml at the top describes the software, and has every key the standard requires.",
    "active": "Something was pushed, or a release made, in the last 12 months.",
    "release": "The repository has a release or a tag, so you can pin a version.",
    "tests": "A test folder or test configuration at the top (tests/, spec/, *.Tests, phpunit.xml and the like).",
    "ci": "Continuous integration is set up: GitHub Actions workflows, Travis, GitLab CI, Azure Pipelines, others.",
    "not_archived": "The council has not archived it (an archived repository takes no more changes).",
}
_LABELS = dict(CHECKS)


def checklist(repo: Repository, now: datetime | None = None) -> Checklist:
    """Every check of `repo`, in CHECKS order. `now` (UTC) decides what "the last 12 months" is."""
    now = now or datetime.now(UTC)
    results = {
        "licence": _licence(repo),
        "readme": _readme(repo.readme),
        "install": _install(repo.readme),
        "contributing": _named(
            repo.root_files, _CONTRIBUTING, "a contribution guide", "no CONTRIBUTING file at the top"
        ),
        "publiccode": _publiccode(repo),
        "active": _active(repo, now),
        "release": _release(repo),
        "tests": _tests(repo.root_files),
        "ci": _ci(repo),
        "not_archived": (False, "archived: it takes no more changes") if repo.archived else (True, "not archived"),
    }
    return Checklist(tuple(Check(i, _LABELS[i], *results[i]) for i, _ in CHECKS))


def reuse_score(repo: Repository, now: datetime | None = None) -> int:
    return checklist(repo, now).score


def _licence(repo: Repository) -> tuple[bool, str]:
    if repo.license is None:
        return False, "no licence found: reuse needs the council's permission"
    if is_open_licence(repo.license):
        return True, f"{licence_label(repo.license)}"
    return False, f"licence not recognised as open ({repo.license})"


def _prose(readme: str) -> list[str]:
    words = []
    for line in readme.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "=", "-", "|", "```", "[![", "<img", ".. image")):
            continue
        words += _WORD.findall(_LINK_OR_IMAGE.sub(" ", stripped))
    return words


def _template(readme: str) -> str | None:
    return next((name for name, pattern in _TEMPLATES.items() if pattern.match(readme)), None)


def _readme(readme: str | None) -> tuple[bool, str]:
    if readme is None or not readme.strip():
        return False, "no README" if readme is None else "the README is empty"
    if template := _template(readme):
        return False, f"the README is the unchanged {template} starter text, about the tool rather than this project"
    count = len(_prose(readme))
    if count >= DESCRIBED_WORDS:
        return True, f"{count} words of description in the README"
    return False, f"the README has only {count} words besides headings and links"


def _install(readme: str | None) -> tuple[bool, str]:
    if not readme:
        return False, "no README to say how to install or run it"
    if template := _template(readme):
        return False, f"the README is the unchanged {template} starter text"
    found = _INSTALL.search(readme)
    if found:
        return True, f"the README mentions \u201c{found.group(0)}\u201d"
    return False, "the README does not say how to install, set up or run it"


def _names(root_files: list[str] | None) -> list[str]:
    return [n.rstrip("/") for n in root_files or []]


def _named(root_files: list[str] | None, pattern: re.Pattern[str], what: str, missing: str) -> tuple[bool, str]:
    if root_files is None:
        return False, "the repository's files have not been read yet"
    found = [n for n in _names(root_files) if pattern.fullmatch(n)]
    if found:
        return True, f"{what}: {', '.join(found[:3])}"
    return False, missing


def _tests(root_files: list[str] | None) -> tuple[bool, str]:
    found = _named(root_files, _TESTS, "tests", "no test folder, test files or test configuration at the top")
    if found[0] or root_files is None:
        return found
    camel = [n for n in _names(root_files) if _CAMEL_TESTS.fullmatch(n)]
    return (True, f"tests: {', '.join(camel[:3])}") if camel else found


def _publiccode(repo: Repository) -> tuple[bool, str]:
    parsed = parse_publiccode(repo.publiccode)
    if parsed is None:
        return False, "no publiccode.yml"
    if parsed.valid:
        return True, f"publiccode.yml describes it (version {parsed.version})"
    return False, f"publiccode.yml has problems: {'; '.join(parsed.problems[:2])}"


def _active(repo: Repository, now: datetime) -> tuple[bool, str]:
    dates = [
        (d, what)
        for d, what in ((parse_timestamp(repo.pushed_at), "push"), (parse_timestamp(repo.latest_release_at), "release"))
        if d
    ]
    if not dates:
        return False, "no push or release date known"
    latest, what = max(dates)
    day = latest.strftime("%-d %B %Y")
    if now - latest <= ACTIVE_WITHIN:
        return True, f"last {what} on {day}"
    return False, f"nothing since the last {what} on {day}"


def _release(repo: Repository) -> tuple[bool, str]:
    if repo.latest_release:
        when = parse_timestamp(repo.latest_release_at)
        return True, f"{repo.latest_release}" + (f" ({when.strftime('%-d %B %Y')})" if when else "")
    if repo.root_files is None:
        return False, "releases and tags have not been read yet"
    return False, "no release or tag"


def _ci(repo: Repository) -> tuple[bool, str]:
    if repo.workflows:
        return True, f"GitHub Actions: {', '.join(repo.workflows[:3])}"
    found = _named(repo.root_files, _CI, "CI configuration", "")
    if found[0]:
        return found
    if repo.root_files is None:
        return False, "the repository's files have not been read yet"
    if repo.workflows is None and ".github" in _names(repo.root_files):
        return False, "a .github folder whose workflows were not read"
    return False, "no CI configuration found"
