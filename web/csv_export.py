"""Search results as CSV for spreadsheets: RFC 4180 quoting, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from councilcode.crawler.export import formula_safe
from councilcode.indexer import SearchHit

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_COLUMNS: tuple[str, ...] = (
    "full_name",
    "council",
    "description",
    "license",
    "language",
    "topics",
    "stars",
    "pushed_at",
    "archived",
    "fork",
    "html_url",
)


def spreadsheet_safe(value: object) -> str:
    """The cell as text; text a spreadsheet would evaluate gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(formula_safe(value))


def hits_to_csv(hits: Iterable[SearchHit]) -> str:
    """A header row and one row per hit; topics are joined with semicolons."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        row = {
            "full_name": hit.full_name,
            "council": hit.council,
            "description": hit.description,
            "license": hit.license,
            "language": hit.language,
            "topics": ";".join(hit.topics or ()),
            "stars": hit.stars,
            "pushed_at": hit.pushed_at,
            "archived": hit.archived,
            "fork": hit.fork,
            "html_url": hit.html_url,
        }
        writer.writerow([spreadsheet_safe(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()
