"""The root of councilcode's user-facing errors.

Every error a person should read (rather than a programming error) derives from `CouncilcodeError`, which
carries the exit status the command line ends with. (The `layers` branch grows this into the whole tree of
user-facing errors; on this branch the new ones derive from it:)

    CouncilcodeError                        exit 1; prints "error: <message>"
    ├── ApiUnreachable                      councilcode.crawler.github: the API host cannot be reached at all
    └── BackupError                         councilcode.backup: the catalogue could not be copied
"""

from __future__ import annotations

__all__ = ["CouncilcodeError"]


class CouncilcodeError(Exception):
    """An error with a message meant for a person, and the exit status the command line ends with."""

    exit_code: int = 1

    def report(self) -> str:
        """What the command line prints on stderr (one or more lines)."""
        return f"error: {self}"
