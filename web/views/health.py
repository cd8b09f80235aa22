"""/healthz: whether the service can answer, for monitors and load balancers."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from councilcode.indexer import IndexDamaged, IndexStore, check_generation
from councilcode.web.errors import Unavailable
from councilcode.web.state import catalogue_damaged
from councilcode.web.views.common import web_state

log = logging.getLogger(__name__)


def index_info(index_dir: Path) -> dict[str, Any] | None:
    """The current index generation and how long ago it last changed; None if there is none."""
    generation = IndexStore(index_dir).current()
    if generation is None:
        return None
    # A rebuild moves the pointer; an incremental update writes new files in the generation's folder.
    changed = max(
        (p.stat().st_mtime for p in (index_dir / "CURRENT", generation.path) if p.exists()),
        default=time.time(),
    )
    return {
        "generation": generation.name,
        "schema": generation.schema_version,
        "age_seconds": max(0, round(time.time() - changed)),
        "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(changed)),
    }


# The catalogue's integrity is checked once per version of the file, not on every health check.
_CHECKED: dict[tuple[Path, int, int], str | None] = {}


def catalogue_problem(path: Path) -> str | None:
    """What SQLite's quick_check finds wrong with the catalogue, naming the file and the fix; None if all is well."""
    try:
        info = path.stat()
    except OSError:
        return None
    key = (path, info.st_mtime_ns, info.st_size)
    if key not in _CHECKED:
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                found = [row[0] for row in db.execute("PRAGMA quick_check").fetchmany(5)]
            problem = None if found == ["ok"] else "; ".join(found)
        except sqlite3.DatabaseError as exc:
            problem = str(exc)
        _CHECKED.clear()
        _CHECKED[key] = catalogue_damaged(path, problem) if problem else None
    return _CHECKED[key]


def healthz(request: Request) -> Response:
    """200 with counts when the catalogue and index are there; 503 (same shape) otherwise."""
    state = web_state(request)
    body: dict[str, Any] = {"ok": True, "repositories": None, "councils": None, "index": None, "problems": []}
    try:
        with state.catalogue() as catalogue:
            body["repositories"] = catalogue.count_repositories()
            body["councils"] = len(catalogue.councils())
    except Unavailable as exc:
        body["problems"].append(exc.message)
    if body["repositories"] is not None:
        problem = catalogue_problem(state.data_dir.catalogue)
        if problem:
            body["problems"].append(problem)
    body["index"] = index_info(state.data_dir.index)
    store = IndexStore(state.data_dir.index)
    pointer_problem = store.problem()
    current = store.current()
    if pointer_problem is not None:
        body["problems"].append(f"{pointer_problem}.")
    elif current is None:
        body["problems"].append("There is no search index: run `councilcode index`.")
    else:
        try:
            check_generation(current.path)
        except IndexDamaged as exc:
            body["problems"].append(f"{exc}.")
    try:
        searcher = state.searcher()
        stats = searcher.stats()
        generation = searcher.generation
    except Unavailable as exc:
        if body["index"] is not None and not body["problems"]:
            body["problems"].append(exc.message)
    except IndexDamaged as exc:
        if not body["problems"]:
            body["problems"].append(f"{exc}.")
    except Exception as exc:  # noqa: BLE001 - a health check reports a broken index, it does not crash
        log.warning("index in %s is unreadable: %s", state.data_dir.index, exc)
        body["problems"].append("The search index cannot be read: rebuild it with `councilcode index --rebuild`.")
    else:
        if body["index"] is None or body["index"]["generation"] != generation:
            # Serving the last good generation while the current one cannot be used.
            body["index"] = {**(body["index"] or {}), "generation": generation, "serving_last_good": True}
        body["index"]["repositories"] = stats.get("repositories")
    body["ok"] = not body["problems"]
    return JSONResponse(body, status_code=200 if body["ok"] else 503, headers={"Cache-Control": "no-store"})
