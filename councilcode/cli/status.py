"""`councilcode status`: the last crawl runs and each handle's last result, for people and scripts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from councilcode.catalogue import Catalogue, CrawlRun, HandleState
from councilcode.cli.plain import plain_text


def duration_seconds(run: CrawlRun) -> float | None:
    """How long a run took, from its ISO start and finish stamps."""
    if not run.finished_at:
        return None
    start = datetime.fromisoformat(run.started_at.replace("Z", "+00:00"))
    end = datetime.fromisoformat(run.finished_at.replace("Z", "+00:00"))
    return (end - start).total_seconds()


@dataclass
class StatusReport:
    runs: list[CrawlRun]
    handles: list[HandleState]

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": [asdict(run) | {"duration_seconds": duration_seconds(run)} for run in self.runs],
            "handles": [asdict(h) for h in self.handles],
        }

    def print(self, console: Console) -> None:
        runs = Table(title="Last crawl runs", title_justify="left")
        columns = ("run", "started (UTC)", "took", "expected", "status", "added", "changed", "removed")
        for column in (*columns, "charged", "estimate", "rate left"):
            runs.add_column(column, justify="right" if column not in ("status", "started (UTC)") else "left")
        for run in self.runs:
            took = duration_seconds(run)
            runs.add_row(
                str(run.id),
                run.started_at.replace("T", " ").rstrip("Z"),
                "-" if took is None else f"{took:.0f}s",
                "-" if run.estimate_seconds is None else f"{run.estimate_seconds:.0f}s",
                run.status + (f" ({run.trigger})" if run.trigger != "manual" else ""),
                str(run.repos_added),
                str(run.repos_changed),
                str(run.repos_removed),
                str(run.requests_charged) + ("" if run.points_spent is None else f" + {run.points_spent} pts"),
                # What was expected beforehand (and the most it could have been), to set beside `charged`.
                _estimate(run),
                "-" if run.rate_limit_remaining is None else str(run.rate_limit_remaining),
            )
        console.print(runs if self.runs else "No crawl has run yet.")
        handles = Table(title="Handles", title_justify="left")
        for column in ("handle", "council", "last result", "repositories", "last crawled", "error"):
            handles.add_column(column, overflow="fold")
        for h in self.handles:
            # Errors quote GitHub's answers: plain text, never markup (as for the council from the config).
            handles.add_row(
                plain_text(h.handle),
                plain_text(h.council),
                h.last_status or "not crawled yet",
                "-" if h.repo_count is None else str(h.repo_count),
                (h.last_crawled_at or "-").replace("T", " ").rstrip("Z"),
                plain_text(h.last_error),
            )
        console.print(handles)


def _estimate(run: CrawlRun) -> str:
    if run.estimate_expected is None:
        return "-"
    unit = " pts" if run.estimate_unit == "points" else ""
    return f"{run.estimate_expected}{unit} (≤{run.estimate_upper})"


def status_report(catalogue: Catalogue, runs: int = 10) -> StatusReport:
    return StatusReport(catalogue.runs(runs), catalogue.handle_states())
