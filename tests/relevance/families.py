"""Collaboration groups measured against judged families (tests/relevance/families.yaml).

Pairs are counted over the real corpus only, and only across councils: two repositories of one
council are not duplicated effort whatever a group says. A pair a group holds with a synthetic
distractor in it is wrong (no real kind of work is about payroll exports at a made-up council).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from ruamel.yaml import YAML

FAMILIES = Path(__file__).with_name("families.yaml")


@dataclass(frozen=True)
class Family:
    name: str
    members: frozenset[str]  # full names, lower case


@dataclass(frozen=True)
class FamilyResult:
    name: str
    found: bool
    pairs: int  # cross-council pairs the family holds
    grouped: int  # of those, pairs one group holds
    best_group: str | None  # the label of the group holding most of the family

    @property
    def recall(self) -> float:
        return self.grouped / self.pairs if self.pairs else 0.0


@dataclass(frozen=True)
class Measurement:
    families: list[FamilyResult]
    grouped_pairs: int  # cross-council pairs with a real member that groups hold
    right_pairs: int  # of those, pairs some family holds
    family_pairs: int  # cross-council pairs families hold
    recalled_pairs: int  # of those, pairs one group holds
    wrong: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right_pairs / self.grouped_pairs if self.grouped_pairs else 0.0

    @property
    def recall(self) -> float:
        return self.recalled_pairs / self.family_pairs if self.family_pairs else 0.0

    @property
    def found(self) -> int:
        return sum(f.found for f in self.families)

    def table(self) -> str:
        lines = [f"{'family':55} found pairs recall  best group"]
        for f in self.families:
            lines.append(
                f"{f.name[:55]:55} {'yes' if f.found else 'no ':5} {f.pairs:5} {f.recall:6.2f}  {f.best_group or '-'}"
            )
        lines.append(
            f"precision {self.precision:.3f} ({self.right_pairs}/{self.grouped_pairs} pairs), "
            f"recall {self.recall:.3f} ({self.recalled_pairs}/{self.family_pairs}), "
            f"families found {self.found}/{len(self.families)} ({self.found / max(1, len(self.families)):.0%})"
        )
        return "\n".join(lines)


def load_families(path: Path = FAMILIES) -> list[Family]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [Family(item["name"], frozenset(m.lower() for m in item["members"])) for item in data["families"]]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def measure(
    groups: Iterable[tuple[str, Sequence[str]]],
    councils: dict[str, str],
    families: Sequence[Family],
) -> Measurement:
    """`groups` as (label, member full names); `councils` maps every real repository's full name
    (lower case) to its council. Names not in `councils` are synthetic."""
    groups = [(label, [m.lower() for m in members]) for label, members in groups]
    together: set[tuple[str, str]] = set()
    for _, members in groups:
        for a, b in combinations(members, 2):
            if (a in councils or b in councils) and councils.get(a) != councils.get(b):
                together.add(_pair(a, b))
    judged: set[tuple[str, str]] = set()
    results = []
    for family in families:
        unknown = family.members - councils.keys()
        if unknown:
            raise ValueError(f"family {family.name!r} names repositories not in the corpus: {sorted(unknown)}")
        pairs = {_pair(a, b) for a, b in combinations(sorted(family.members), 2) if councils[a] != councils[b]}
        judged |= pairs
        best_label, best_count, found = None, 0, False
        for label, members in groups:
            inside = [m for m in members if m in family.members]
            if len(inside) > best_count:
                best_label, best_count = label, len(inside)
            if len({councils[m] for m in inside}) >= 2 and len(inside) >= 0.5 * len(members):
                found = True
        results.append(FamilyResult(family.name, found, len(pairs), len(pairs & together), best_label))
    wrong = sorted(together - judged)
    return Measurement(results, len(together), len(together & judged), len(judged), len(judged & together), wrong)
