"""The register of UK local authorities, shipped with councilcode, and GOV.UK's list of council websites.

Every use of the register goes through this module. The data is package data in `councilcode/registers/`:

- `uk-local-authorities.csv`: mySociety's "UK Local Authorities (including future)" register (CC BY 4.0),
  one row per authority, past, current and announced, keyed by its three- or four-letter
  `local-authority-code` (`BST` Bristol City Council);
- `uk-council-websites.csv`: the official website of most current councils, from GOV.UK's list of local
  council websites (Open Government Licence v3.0), keyed by the same code.

See `councilcode/registers/README.md` for where each file comes from.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

REGISTER_FILE = "uk-local-authorities.csv"
WEBSITES_FILE = "uk-council-websites.csv"

# What to say wherever the register's data is shown (its licence asks for the credit).
REGISTER_CREDIT = "UK Local Authorities register by mySociety"
REGISTER_URL = "https://github.com/mysociety/uk_local_authority_names_and_codes"
REGISTER_LICENCE = "CC BY 4.0"
REGISTER_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# The register's `local-authority-type` -> the type vocabulary of config/orgs.yaml (records.COUNCIL_TYPES).
# Scottish and Welsh councils are unitary; Northern Ireland's eleven councils are district councils; the
# Greater London Authority (SRA) and the City of London Corporation (CC) fit no other type.
COUNCIL_TYPE_OF = {
    "CTY": "county",
    "NMD": "district",
    "UA": "unitary",
    "MD": "metropolitan-borough",
    "LBO": "london-borough",
    "SCO": "unitary",
    "WPA": "unitary",
    "NID": "district",
    "COMB": "combined-authority",
    "SRA": "other",
    "CC": "other",
}
# Types an orgs.yaml entry may give for an authority of each register type (more than one where usage varies).
ALLOWED_TYPES = {
    **{code: {kind} for code, kind in COUNCIL_TYPE_OF.items()},
    "SRA": {"other", "combined-authority"},
    "CC": {"other", "london-borough"},
}
# Words that say what kind of body it is, not which: left out when a name is compared with another.
_GENERIC_WORDS = frozenset(
    {
        *("the", "of", "and", "council", "borough", "city", "county", "district", "metropolitan", "royal"),
        *("london", "unitary", "authority", "corporation", "combined", "mayoral"),
        # The register's alternative names abbreviate ("Bristol UA", "Camden London Boro", "Bradford MDC").
        *("ua", "boro", "mdc", "mbc", "dc", "bc", "cc", "coucil"),
    }
)


@dataclass(frozen=True)
class Authority:
    """One row of the register."""

    code: str
    name: str  # official name, spaces tidied ("North Somerset Council")
    nice_name: str  # the short name ("North Somerset")
    alt_names: tuple[str, ...]
    gss_code: str
    nation: str
    region: str
    type_code: str  # the register's local-authority-type: CTY, NMD, UA, MD, LBO, SCO, WPA, NID, COMB, ...
    type_name: str  # "Non-metropolitan district"
    start_date: str | None
    end_date: str | None
    replaced_by: tuple[str, ...]
    current: bool
    gov_uk_slug: str | None
    website: str | None = None  # from GOV.UK's list, where it has one

    @property
    def council_type(self) -> str:
        """The authority's type in config/orgs.yaml's vocabulary."""
        return COUNCIL_TYPE_OF.get(self.type_code, "other")

    @property
    def names(self) -> tuple[str, ...]:
        """Official name, short name and every alternative spelling, each once (first spelling kept)."""
        seen: dict[str, str] = {}
        for name in (self.name, self.nice_name, *self.alt_names):
            seen.setdefault(name_key(name), name)
        return tuple(seen.values())

    @property
    def domain(self) -> str | None:
        """The website's host without `www.` (`bristol.gov.uk`), or None."""
        return website_domain(self.website)

    def label(self) -> str:
        return f"{self.name} ({self.code})"


def name_key(name: str) -> str:
    """A name as compared: lower case, '&' as 'and', punctuation as spaces ("Brighton & Hove" = "brighton and hove")."""
    text = name.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def distinctive_words(name: str) -> tuple[str, ...]:
    """The words of a name that say which place it is ("City of Bristol" -> ('bristol',))."""
    return tuple(w for w in name_key(name).split() if w not in _GENERIC_WORDS)


def website_domain(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "://" in url else f"https://{url}").hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.lower().removeprefix("www.")


class Register:
    """Every authority in the register by code, with look-ups by name and the chain of replacements."""

    def __init__(self, authorities: Iterable[Authority]) -> None:
        self.by_code: dict[str, Authority] = {a.code: a for a in authorities}
        self._by_name: dict[str, list[Authority]] = {}
        for authority in self.by_code.values():
            for name in authority.names:
                self._by_name.setdefault(name_key(name), []).append(authority)

    def __len__(self) -> int:
        return len(self.by_code)

    def __iter__(self) -> Iterator[Authority]:
        return iter(self.by_code.values())

    def get(self, code: str) -> Authority | None:
        return self.by_code.get(code)

    def current(self) -> list[Authority]:
        """The current authorities (397 in the shipped register), by nation, then name."""
        return list(self._current)

    @functools.cached_property
    def _current(self) -> tuple[Authority, ...]:  # every page that shows coverage asks: sort once
        return tuple(
            sorted((a for a in self.by_code.values() if a.current), key=lambda a: (a.nation, name_key(a.name)))
        )

    def by_name(self, name: str, *, current_only: bool = True) -> Authority | None:
        """The one authority that has `name` as its official, short or alternative name; None if none or several.

        Current authorities win over former ones of the same name (North Yorkshire Council over the county).
        """
        found = self._by_name.get(name_key(name), [])
        if current_only:
            found = [a for a in found if a.current]
        elif len({a.code for a in found}) > 1:
            found = [a for a in found if a.current] or found
        return found[0] if len({a.code for a in found}) == 1 else None

    def successors(self, authority: Authority) -> list[Authority]:
        """The current authorities that (in the end) replaced a former one, following chains of replacements."""
        result: list[Authority] = []
        todo, seen = list(authority.replaced_by), {authority.code}
        while todo and len(seen) < 50:  # the register's chains are short; bound it anyway
            code = todo.pop(0)
            if code in seen or code not in self.by_code:
                continue
            seen.add(code)
            successor = self.by_code[code]
            if successor.current:
                result.append(successor)
            else:
                todo.extend(successor.replaced_by)
        return result

    def suggest_code(self, code: str, name: str | None = None) -> Authority | None:
        """The authority a mistyped `code` probably meant: the one called `name`, else a close spelling."""
        if name:
            named = self.by_name(name)
            if named is not None:
                return named
        upper = code.strip().upper()
        if upper in self.by_code:
            return self.by_code[upper]
        current = [a.code for a in self.by_code.values() if a.current]
        close = difflib.get_close_matches(upper, current, n=1, cutoff=0.6)
        return self.by_code[close[0]] if close else None

    def name_fits(self, authority: Authority, name: str) -> bool:
        """True if `name` is one of the authority's names, or carries its distinctive words in order.

        "Trafford Council" fits Trafford Metropolitan Borough Council; "Leeds City Council" does not fit Bristol.
        """
        key = name_key(name)
        if any(name_key(n) == key for n in authority.names):
            return True
        words = " " + " ".join(distinctive_words(name)) + " "
        return any((wanted := " ".join(distinctive_words(n))) and f" {wanted} " in words for n in authority.names)


def _bool(value: str) -> bool:
    return value.strip().lower() == "true"


def _split_codes(value: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in value.split(",") if c.strip())


def _tidy(value: str) -> str:
    return " ".join(value.split())


def _read_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _package_text(filename: str) -> str:
    return resources.files("councilcode").joinpath("registers", filename).read_text(encoding="utf-8")


def read_websites(text: str) -> dict[str, str]:
    """`local-authority-code` -> homepage URL, from the text of a uk-council-websites.csv."""
    rows = _read_rows(text)
    if rows and not {"local-authority-code", "homepage-url"} <= set(rows[0]):
        raise ValueError("expected the columns local-authority-code and homepage-url")
    return {
        row["local-authority-code"].strip(): row["homepage-url"].strip()
        for row in rows
        if row.get("local-authority-code") and row.get("homepage-url")
    }


def read_register(text: str, websites: dict[str, str] | None = None) -> Register:
    """A Register from the text of uk-local-authorities.csv, with each council's website where known."""
    websites = websites or {}
    authorities = []
    for row in _read_rows(text):
        code = row["local-authority-code"].strip()
        alt_names = tuple(_tidy(n) for n in row.get("alt-names", "").split(",") if n.strip())
        authorities.append(
            Authority(
                code=code,
                name=_tidy(row["official-name"]),
                nice_name=_tidy(row["nice-name"]),
                alt_names=alt_names,
                gss_code=row.get("gss-code", "").strip(),
                nation=row["nation"].strip(),
                region=row.get("region", "").strip(),
                type_code=row["local-authority-type"].strip(),
                type_name=row.get("local-authority-type-name", "").strip(),
                start_date=row.get("start-date", "").strip() or None,
                end_date=row.get("end-date", "").strip() or None,
                replaced_by=_split_codes(row.get("replaced-by", "")),
                current=_bool(row.get("current-authority", "")),
                gov_uk_slug=row.get("gov-uk-slug", "").strip() or None,
                website=websites.get(code),
            )
        )
    return Register(authorities)


@functools.cache
def _shipped_register() -> Register:
    return read_register(_package_text(REGISTER_FILE), read_websites(_package_text(WEBSITES_FILE)))


def load_register(websites: Path | None = None) -> Register:
    """The shipped register (read once per process), or with the websites of another uk-council-websites.csv.

    Raises OSError or ValueError when `websites` cannot be read as such a file.
    """
    if websites is None:
        return _shipped_register()
    return read_register(_package_text(REGISTER_FILE), read_websites(Path(websites).read_text(encoding="utf-8")))
