"""/healthz: whether the service can answer, for monitors and load balancers."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from councilcode.indexer import IndexStore
from councilcode.web.errors import Unavailable
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
    body["index"] = index_info(state.data_dir.index)
    if body["index"] is None:
        body["problems"].append("There is no search index: run `councilcode index`.")
    else:
        try:
            stats = state.stats()
        except Exception as exc:  # noqa: BLE001 - a health check reports a broken index, it does not crash
            log.warning("index in %s is unreadable: %s", state.data_dir.index, exc)
            body["problems"].append("The search index cannot be read: rebuild it with `councilcode index --rebuild`.")
        else:
            if stats is not None:
                body["index"]["repositories"] = stats.get("repositories")
    body["ok"] = not body["problems"]
    return JSONResponse(body, status_code=200 if body["ok"] else 503, headers={"Cache-Control": "no-store"})
