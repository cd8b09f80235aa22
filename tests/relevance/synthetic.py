"""Deterministic, realistic-looking synthetic council repositories.

`distractors()` gives off-topic ones (payroll, parking permits, council tax...) to index beside the
real corpus in the relevance tests: they share the generic vocabulary of council code (council,
service, data, API, Docker, install...) but none is about what a judged query asks for.
`synthetic_repositories()` mixes in on-topic themes too, for benchmarks at realistic match counts.
Councils are fictional so nothing here can be mistaken for a real repository.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from councilcode.records import Repository
from tests.factories import make_repository


@dataclass(frozen=True)
class Theme:
    key: str
    names: tuple[str, ...]  # repository name stems
    titles: tuple[str, ...]
    sentences: tuple[str, ...]  # about the service, for descriptions and READMEs
    topics: tuple[str, ...]


OFF_TOPIC = (
    Theme(
        "payroll",
        ("payroll-export", "PayrollBridge", "payslip-viewer", "salary-sacrifice"),
        ("Payroll export", "Payslip viewer"),
        (
            "Exports monthly payroll figures to the finance ledger.",
            "Lets employees view and download their payslips.",
            "Handles salary sacrifice schemes and pension deductions.",
            "Reconciles payroll runs against the HR establishment list.",
        ),
        ("payroll", "hr", "finance"),
    ),
    Theme(
        "leave",
        ("annual-leave", "LeaveRequests", "absence-tracker", "flexitime"),
        ("Annual leave booking", "Absence tracker"),
        (
            "Staff request annual leave and managers approve it.",
            "Records sickness absence and return-to-work interviews.",
            "Flexitime clock for office staff with monthly balances.",
        ),
        ("hr", "staff", "absence"),
    ),
    Theme(
        "parking",
        ("parking-permits", "ResidentPermits", "pcn-appeals", "pay-and-display"),
        ("Parking permits", "Penalty charge appeals"),
        (
            "Residents apply for and renew resident parking permits online.",
            "Handles penalty charge notice challenges and appeals.",
            "Imports pay and display machine transactions each night.",
            "Visitor permits are issued as virtual vouchers.",
        ),
        ("parking", "permits", "enforcement"),
    ),
    Theme(
        "library",
        ("library-catalogue", "LibraryLoans", "ebook-lending", "library-opening-times"),
        ("Library catalogue", "Library loans"),
        (
            "Searchable catalogue of books held in our libraries.",
            "Members renew loans and reserve titles.",
            "Lists opening times for every library branch.",
        ),
        ("libraries", "books", "catalogue"),
    ),
    Theme(
        "counciltax",
        ("council-tax-calculator", "CouncilTaxBands", "ctax-direct-debit", "single-person-discount"),
        ("Council tax calculator", "Council tax bands"),
        (
            "Works out the council tax bill for a property band.",
            "Residents set up a direct debit for council tax.",
            "Checks single person discount claims against the electoral roll.",
        ),
        ("council-tax", "revenues", "finance"),
    ),
    Theme(
        "elections",
        ("electoral-register", "PollingStations", "election-count", "canvass-forms"),
        ("Electoral register", "Election count"),
        (
            "Manages the annual canvass of the electoral register.",
            "Shows election count progress on election night.",
            "Finds your polling station from your postcode.",
        ),
        ("elections", "democracy", "voting"),
    ),
    Theme(
        "planning",
        ("planning-applications", "PlanningPortalSync", "building-control", "planning-comments"),
        ("Planning applications", "Building control"),
        (
            "Lists planning applications and lets residents comment on them.",
            "Synchronises planning cases from the planning casework system.",
            "Building control inspections booked online.",
        ),
        ("planning", "development-management"),
    ),
    Theme(
        "licensing",
        ("taxi-licensing", "PremisesLicences", "street-trading", "licence-renewals"),
        ("Taxi licensing", "Premises licences"),
        (
            "Drivers renew hackney carriage and private hire licences.",
            "Public register of premises licences.",
            "Street trading consent applications and renewals.",
        ),
        ("licensing", "taxis"),
    ),
    Theme(
        "bereavement",
        ("cemetery-bookings", "BurialRecords", "crematorium-diary"),
        ("Cemetery bookings", "Burial records"),
        (
            "Funeral directors book burials and cremations.",
            "Searchable burial records for family history research.",
        ),
        ("bereavement", "cemeteries"),
    ),
    Theme(
        "allotments",
        ("allotment-waiting-list", "AllotmentPlots"),
        ("Allotment waiting list",),
        (
            "Residents join the waiting list for an allotment plot.",
            "Tracks plot rents and tenancy agreements.",
        ),
        ("allotments", "parks"),
    ),
    Theme(
        "registrars",
        ("registrars-appointments", "CeremonyBookings", "certificate-orders"),
        ("Registrars appointments", "Ceremony bookings"),
        (
            "Book an appointment to register a birth or a death.",
            "Couples book wedding and civil partnership ceremonies.",
            "Order copies of certificates online.",
        ),
        ("registrars", "ceremonies"),
    ),
    Theme(
        "foi",
        ("foi-tracker", "FoiRequests", "subject-access-requests"),
        ("Freedom of information tracker",),
        (
            "Logs freedom of information requests and their deadlines.",
            "Tracks subject access requests under data protection law.",
        ),
        ("foi", "information-governance"),
    ),
    Theme(
        "procurement",
        ("contracts-register", "ProcurementPipeline", "supplier-onboarding"),
        ("Contracts register", "Supplier onboarding"),
        (
            "Publishes the register of contracts over five thousand pounds.",
            "Onboards new suppliers and checks their insurance documents.",
        ),
        ("procurement", "contracts"),
    ),
    Theme(
        "admissions",
        ("school-admissions", "AdmissionsPortal", "in-year-transfers"),
        ("School admissions",),
        (
            "Parents apply for a reception or secondary school place.",
            "In-year transfer requests between schools.",
            "Offers day letters are generated from the admissions system.",
        ),
        ("education", "admissions"),
    ),
    Theme(
        "bluebadge",
        ("blue-badge-applications", "BlueBadgeRenewals"),
        ("Blue Badge applications",),
        ("Residents apply for or renew a Blue Badge for disabled parking.",),
        ("blue-badge", "accessibility"),
    ),
    Theme(
        "pest",
        ("pest-control-bookings",),
        ("Pest control bookings",),
        ("Book a pest control treatment for rats, mice or wasps.",),
        ("environmental-health",),
    ),
    Theme(
        "rooms",
        ("meeting-room-booking", "DeskBooking", "hot-desks"),
        ("Room booking", "Desk booking"),
        (
            "Staff book desks and meeting rooms in council offices.",
            "Shows which desks are free on each floor.",
        ),
        ("facilities", "booking"),
    ),
    Theme(
        "assets",
        ("it-asset-register", "LaptopInventory", "equipment-loans", "software-renewals"),
        ("IT asset register", "Software renewals"),
        (
            "Keeps the inventory of laptops, phones and licences issued to staff.",
            "Records when the council's software subscriptions are due for renewal.",
            "Staff borrow and return office equipment.",
        ),
        ("it", "assets", "procurement"),
    ),
    Theme(
        "leisure",
        ("leisure-bookings", "SwimmingTimetable", "gym-memberships"),
        ("Leisure centre bookings",),
        (
            "Book swimming lessons and fitness classes at leisure centres.",
            "Gym membership sign-up and direct debits.",
        ),
        ("leisure", "sport"),
    ),
    Theme(
        "pensions",
        ("pension-fund-reporting", "PensionsPortal"),
        ("Pension fund reporting",),
        ("Quarterly reporting for the local government pension fund.",),
        ("pensions", "lgps"),
    ),
)

# Only for benchmarks: themes that do match typical queries, so match counts look like a real catalogue.
ON_TOPIC = (
    Theme(
        "waste",
        ("bin-collection-days", "WasteCollections", "bulky-waste", "recycling-centre-bookings"),
        ("Bin collection days", "Bulky waste collections"),
        (
            "Find your bin collection day from your postcode.",
            "Book a bulky waste collection.",
            "Recycling centre slot bookings.",
        ),
        ("waste", "recycling", "bins"),
    ),
    Theme(
        "maps",
        ("web-map", "LocalViewMaps", "gis-layers", "map-tiles"),
        ("Web map", "GIS layers"),
        (
            "Interactive web map of council services using OpenLayers.",
            "Publishes GIS layers as OGC web services.",
        ),
        ("maps", "gis", "openlayers"),
    ),
    Theme(
        "highways",
        ("gritting-routes", "RoadWorks", "pothole-reports", "winter-service"),
        ("Gritting routes", "Pothole reports"),
        (
            "Shows the gritting routes and where the gritters are.",
            "Residents report potholes and track repairs.",
        ),
        ("highways", "roads", "gritting"),
    ),
    Theme(
        "design",
        ("design-system", "FrontendToolkit", "pattern-library"),
        ("Design system", "Pattern library"),
        (
            "Components and styles for council websites, based on GOV.UK Frontend.",
            "A pattern library of accessible front end components.",
        ),
        ("design-system", "frontend", "govuk-frontend"),
    ),
    Theme(
        "cms",
        ("drupal-site", "LocalGovSite", "wagtail-site", "umbraco-theme"),
        ("Council website", "Drupal site"),
        (
            "The council website, built with Drupal and LocalGov Drupal.",
            "Wagtail site for the council's public website.",
        ),
        ("drupal", "cms", "localgov-drupal"),
    ),
    Theme(
        "opendata",
        ("open-data-portal", "DatasetPublisher", "transparency-data"),
        ("Open data portal",),
        (
            "Publishes open data under the Open Government Licence.",
            "Transparency code datasets as CSV and JSON.",
        ),
        ("open-data", "transparency"),
    ),
)

_GENERIC = (
    "This is the source code for the {council} {thing}.",
    "It is maintained by the digital team at {council}.",
    "The application is built with {framework} and stores its data in {database}.",
    "Configuration is read from environment variables; copy the example file to get started.",
    "Run the tests before opening a pull request.",
    "Deployment is automated with {ci} on every merge to the main branch.",
    "Issues and pull requests are welcome, but please read the contributing guide first.",
    "Logs are shipped to the central logging service.",
    "The service sends emails through GOV.UK Notify.",
    "Data is refreshed every night by a scheduled job.",
    "Staff sign in with their council account.",
    "Residents use the public pages; officers use the admin pages.",
    "See the docs folder for runbooks.",
)
_FRAMEWORKS = {
    "C#": ("ASP.NET Core", "MVC 5", ".NET 8"),
    "PHP": ("Laravel", "Symfony", "Slim"),
    "Python": ("Django", "Flask", "FastAPI"),
    "JavaScript": ("Express", "Node.js", "Vue"),
    "TypeScript": ("Next.js", "Angular", "NestJS"),
    "Ruby": ("Rails", "Sinatra"),
    "Java": ("Spring Boot",),
    "Go": ("net/http",),
    "R": ("Shiny",),
    "HTML": ("Eleventy",),
    "PowerShell": ("PowerShell scripts",),
}
# Distractors must not be relevant to any judged query, so none is written in a judged technology.
# Judged queries ask for Laravel and Vue. Hapi takes Vue's place rather than leaving a gap, so the
# generator's draws, and with them every other distractor, stay as they were.
_DISTRACTOR_FRAMEWORKS = {
    language: tuple("Hapi" if f == "Vue" else f for f in frameworks if f != "Laravel")
    for language, frameworks in _FRAMEWORKS.items()
    if language != "PowerShell"
}
_DATABASES = ("PostgreSQL", "SQL Server", "MySQL", "SQLite", "Azure Table Storage")
_CI = ("GitHub Actions", "Azure DevOps", "Jenkins", "CircleCI")
_LICENCES = (
    ("MIT", 34),
    (None, 34),
    ("OGL-UK-3.0", 8),
    ("GPL-3.0", 7),
    ("Apache-2.0", 5),
    ("GPL-2.0", 4),
    ("BSD-3-Clause", 3),
    ("AGPL-3.0", 3),
    ("OGL-UK-2.0", 2),
)
_GENERIC_TOPICS = ("local-government", "govuk", "council", "docker", "azure", "aws", "dotnet", "php", "python")
_PLACES_A = ("Bor", "Mid", "Cas", "Bar", "Mud", "Amb", "Hol", "Wes", "Sal", "Ash", "Tre", "Kel", "Dun", "Pen", "Lang")
_PLACES_B = ("set", "som", "ter", "ches", "ford", "ley", "wick", "bury", "ham", "ton", "brook", "dale", "mouth")
_PLACES_C = ("shire", "", "", " Vale", " Valley", "-on-Sea", " Heath")
_TYPES = ("County Council", "District Council", "Borough Council", "City Council", "Council")


def fictional_councils(count: int, seed: int = 7) -> list[str]:
    """`count` distinct made-up council names such as "Borsetshire County Council"."""
    rng = random.Random(seed)
    names: list[str] = []
    seen = set()
    while len(names) < count:
        place = rng.choice(_PLACES_A) + rng.choice(_PLACES_B) + rng.choice(_PLACES_C)
        name = f"{place} {rng.choice(_TYPES)}"
        if place not in seen:
            seen.add(place)
            names.append(name)
        elif len(seen) > 3000:  # more councils than places: number them
            names.append(f"{name} {len(names)}")
    return names


def _handle(council: str, rng: random.Random) -> str:
    place = council.split(" ")[0].replace("-", "")
    style = rng.randrange(4)
    if style == 0:
        return f"{place}Council"
    if style == 1:
        return f"{place.lower()}-council"
    if style == 2:
        return f"{place}-Digital"
    return f"{place.lower()}cc"


def _weighted(rng: random.Random, table: tuple[tuple[str | None, int], ...]) -> str | None:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _readme(
    rng: random.Random, theme: Theme, council: str, language: str | None, frameworks: dict[str, tuple[str, ...]]
) -> str:
    framework = rng.choice(frameworks.get(language or "", ("a small web framework",)))
    fill = {
        "council": council,
        "thing": rng.choice(theme.titles).lower(),
        "framework": framework,
        "database": rng.choice(_DATABASES),
        "ci": rng.choice(_CI),
    }
    lines = [f"# {rng.choice(theme.titles)}", ""]
    if rng.random() < 0.3:
        lines += ["[![Build](https://github.com/example/repo/actions/workflows/ci.yml/badge.svg)](https://ci)", ""]
    about = rng.sample(theme.sentences, k=min(len(theme.sentences), rng.randint(1, 3)))
    lines += [" ".join(about), ""]
    for heading in rng.sample(("Getting started", "Running locally", "Deployment", "Contributing", "Support"), k=3):
        lines += [f"## {heading}", ""]
        generic = rng.sample(_GENERIC, k=rng.randint(2, 4))
        lines += [" ".join(s.format(**fill) for s in generic), ""]
        if rng.random() < 0.4:
            lines += ["```bash", "docker compose up --build", "```", ""]
    lines += ["## Licence", "", rng.choice(("MIT.", "Open Government Licence v3.0.", "See LICENSE.")), ""]
    return "\n".join(lines)


def _repository(
    index: int,
    theme: Theme,
    councils: list[str],
    rng: random.Random,
    id_base: int,
    frameworks: dict[str, tuple[str, ...]] = _FRAMEWORKS,
) -> Repository:
    council = rng.choice(councils)
    owner = _handle(council, random.Random(council))
    stem = rng.choice(theme.names)
    name = stem if rng.random() < 0.5 else f"{stem}-{rng.choice(('api', 'web', 'service', 'app', 'v2', 'admin'))}"
    name = f"{name}-{index}" if rng.random() < 0.5 else name
    language = rng.choice((*frameworks, None))
    topics: list[str] = []
    if rng.random() < 0.45:
        topics = rng.sample(theme.topics, k=rng.randint(1, len(theme.topics)))
        topics += rng.sample(_GENERIC_TOPICS, k=rng.randint(0, 2))
    description = rng.choice(theme.sentences) if rng.random() < 0.7 else None
    readme = _readme(rng, theme, council, language, frameworks) if rng.random() < 0.85 else None
    year = rng.randint(2012, 2026)
    pushed = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
    return make_repository(
        f"{owner}/{name}",
        council,
        id=id_base + index,
        description=description,
        language=language,
        topics=list(dict.fromkeys(topics)),
        stars=min(int(rng.paretovariate(1.3)) - 1, 500),
        forks=rng.randint(0, 5),
        archived=rng.random() < 0.08,
        fork=rng.random() < 0.06,
        default_branch=rng.choice(("main", "master", "develop")),
        created_at=f"{max(2010, year - rng.randint(0, 4))}-01-01T00:00:00Z",
        pushed_at=pushed,
        updated_at=pushed,
        readme=readme,
        license=_weighted(rng, _LICENCES),
    )


def distractors(count: int = 300, seed: int = 2024) -> list[Repository]:
    """Off-topic council repositories (no judged query is about any of them)."""
    rng = random.Random(seed)
    councils = fictional_councils(40, seed)
    return _unique(
        [
            _repository(i, rng.choice(OFF_TOPIC), councils, rng, 900_000_000, _DISTRACTOR_FRAMEWORKS)
            for i in range(count)
        ]
    )


def synthetic_repositories(count: int, seed: int = 1, councils: int = 400) -> list[Repository]:
    """A catalogue-sized mix of off-topic and on-topic repositories for benchmarks."""
    rng = random.Random(seed)
    names = fictional_councils(councils, seed)
    themes = OFF_TOPIC + ON_TOPIC
    return _unique([_repository(i, rng.choice(themes), names, rng, 800_000_000) for i in range(count)])


def _unique(repos: list[Repository]) -> list[Repository]:
    # Full names are unique in the catalogue.
    seen: set[str] = set()
    for repo in repos:
        if repo.full_name.lower() in seen:
            repo.name = f"{repo.name}-{repo.id}"
            repo.full_name = f"{repo.owner}/{repo.name}"
            repo.html_url = f"https://github.com/{repo.full_name}"
        seen.add(repo.full_name.lower())
    return repos
