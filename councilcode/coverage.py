"""Which of the register's current councils publish code we know of: the same answer for `/councils`,
`/api/councils`, the home and about pages, and `councilcode orgs coverage`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from councilcode.catalogue import HandleState
from councilcode.records import NATIONS, Council
from councilcode.register import Authority, Register, load_register

# The order the register's types are shown in within a nation: the bigger councils first.
TYPE_ORDER = ("CTY", "UA", "MD", "LBO", "CC", "NMD", "SCO", "WPA", "NID", "COMB", "SRA")


@dataclass
class CouncilCoverage:
    """One current council of the register, with the handles we know for it."""

    authority: Authority
    council: Council | None = None  # its entry in config/orgs.yaml (or the catalogue), if any
    states: list[HandleState] = field(default_factory=list)  # each handle's last crawl, when known

    @property
    def handles(self) -> list[str]:
        return list(self.council.github) if self.council else []

    @property
    def repositories(self) -> int | None:
        """Repositories found at the last crawls; None when no handle of it has been crawled (or none is known)."""
        counts = [s.repo_count for s in self.states if s.repo_count is not None]
        return sum(counts) if counts else None

    @property
    def publishing(self) -> bool:
        """Publishes code we know of: a known handle, with repositories (or not crawled yet: `orgs add`
        only adds an account that has public repositories)."""
        return bool(self.handles) and self.repositories != 0

    def to_json(self) -> dict[str, Any]:
        a = self.authority
        return {
            "code": a.code,
            "name": a.name,
            "nation": a.nation,
            "type": a.council_type,
            "type_name": a.type_name,
            "handles": self.handles,
            "repositories": self.repositories,
        }


@dataclass
class Coverage:
    councils: list[CouncilCoverage]  # every current council in the register, by nation, type and name
    others: list[Council]  # entries that are not a current council: fire services, collaborations, former councils

    @property
    def total(self) -> int:
        return len(self.councils)

    @property
    def publishing(self) -> int:
        return sum(c.publishing for c in self.councils)

    @property
    def sentence(self) -> str:
        return f"{self.publishing} of {self.total} councils publish code we know of"

    def groups(self) -> list[tuple[str, list[tuple[str, list[CouncilCoverage]]]]]:
        """[(nation, [(type name, councils)])], in the order the councils are kept."""
        nations: dict[str, dict[str, list[CouncilCoverage]]] = {}
        for c in self.councils:
            nations.setdefault(c.authority.nation, {}).setdefault(c.authority.type_name, []).append(c)
        return [(nation, list(types.items())) for nation, types in nations.items()]

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "publishing": self.publishing, "councils": [c.to_json() for c in self.councils]}


def _order(authority: Authority) -> tuple[int, int, str]:
    nation = NATIONS.index(authority.nation) if authority.nation in NATIONS else len(NATIONS)
    kind = TYPE_ORDER.index(authority.type_code) if authority.type_code in TYPE_ORDER else len(TYPE_ORDER)
    return nation, kind, authority.name.lower()


@functools.lru_cache(maxsize=4)  # the shipped register, mostly: every page that shows coverage asks
def _ordered(register: Register) -> tuple[Authority, ...]:
    return tuple(sorted(register.current(), key=_order))


def coverage(
    councils: Iterable[Council], states: Iterable[HandleState] | None = None, register: Register | None = None
) -> Coverage:
    """Every current council in the register with its entry in `councils` and the last crawl of its handles.

    An entry belongs to the council its code names; an entry without a code (a catalogue written before
    codes, say) to the current council whose name it has exactly.
    """
    register = register or load_register()
    councils = list(councils)
    by_code: dict[str, Council] = {c.code: c for c in councils if c.code and register.get(c.code)}
    others = []
    for council in councils:
        if council.code and council.code in by_code:
            continue
        authority = register.by_name(council.name)
        if authority is not None and not council.code and authority.code not in by_code:
            by_code[authority.code] = council
        else:
            others.append(council)
    by_handle: dict[str, list[HandleState]] = {}
    for state in states or ():
        by_handle.setdefault(state.handle.lower(), []).append(state)

    rows = []
    for authority in _ordered(register):
        council = by_code.get(authority.code)
        handle_states = [s for h in (council.github if council else ()) for s in by_handle.get(h.lower(), [])]
        rows.append(CouncilCoverage(authority, council, handle_states))
    return Coverage(rows, others)
