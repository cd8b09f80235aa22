"""`councilcode export`: every stored repository as JSON, JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from councilcode.records import LIST_FIELDS, REPOSITORY_FIELDS, Repository

FORMATS = ("json", "jsonl", "csv")
# CSV is for spreadsheets: a README or a publiccode.yml does not fit in a cell.
CSV_FIELDS = tuple(f for f in REPOSITORY_FIELDS if f not in ("readme", "publiccode"))


def export_repositories(repositories: Iterable[Repository], out: TextIO, fmt: str = "json") -> int:
    """Write the repositories to `out` in `fmt`; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    repos = list(repositories)
    if fmt == "json":
        items = ",".join("\n  " + json.dumps(r.to_dict(), ensure_ascii=False) for r in repos)
        out.write("[" + items + ("\n]\n" if repos else "]\n"))
    elif fmt == "jsonl":
        for repo in repos:
            out.write(json.dumps(repo.to_dict(), ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for repo in repos:
            row = repo.to_dict()
            for name in LIST_FIELDS:
                if row[name] is not None:
                    row[name] = ";".join(row[name])
            writer.writerow({k: formula_safe(v) for k, v in row.items()})
    return len(repos)


# Excel, LibreOffice and Google Sheets treat a cell starting with any of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_safe(value: object) -> object:
    """Text a spreadsheet would evaluate, with a leading apostrophe so it stays text; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
