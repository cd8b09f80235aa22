"""Reading the timestamps GitHub writes, once for every layer."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value: str | None) -> datetime | None:
    """GitHub's `2024-01-31T12:00:00Z` (or any ISO 8601 form) as an aware datetime; None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
