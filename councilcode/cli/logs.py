"""Logging set-up: readable lines for people, or one JSON object a line for log collectors."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from councilcode.cli.plain import plain


class JsonFormatter(logging.Formatter):
    """`{"time": ..., "level": ..., "logger": ..., "message": ...}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": plain(record.getMessage(), keep_lines=True),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """Readable lines whose messages, which may quote GitHub's answers, carry no terminal escape sequences."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - the base class's name
        return plain(super().formatMessage(record), keep_lines=True)


def setup_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Send log records to stderr as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(PlainFormatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request at INFO; that is noise next to the crawl's own lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
