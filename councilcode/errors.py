"""The root of councilcode's user-facing errors, and the whole tree of them.

Every error a person should read (rather than a programming error) derives from `CouncilcodeError`, which
carries the exit status the command line ends with. The CLI catches the root once (`councilcode.cli.command`),
prints `report()` on stderr and exits with `exit_code`; library callers (the web viewer, tests) catch the
specific kinds. Each class lives beside the code that raises it; this is the map of them all
(tests/test_errors.py keeps it in step with the code):

    CouncilcodeError                        exit 1; prints "error: <message>"
    ├── LockBusy                            councilcode.lock: another crawl holds the data dir (exit 3)
    ├── ConfigError                         councilcode.config: orgs.yaml has problems, one a line (exit 2)
    ├── OrgsFileError                       councilcode.orgs_file: `orgs add` refused to edit the file
    │   └── DuplicateHandleError            the handle is listed already
    ├── CatalogueMissing                    councilcode.catalogue: no catalogue yet (also FileNotFoundError, exit 2)
    ├── CatalogueDamaged                    councilcode.catalogue: not an SQLite file, or a damaged one
    ├── AuthError                           councilcode.crawler.auth: no token from the GitHub App (exit 2)
    ├── ApiUnreachable                      councilcode.crawler.github: the API host cannot be reached at all
    ├── BackupError                         councilcode.backup: the catalogue could not be copied
    ├── CrawlError                          councilcode.crawler.crawl: a handle could not be crawled (exit 2)
    │   └── QueryFailed                     councilcode.crawler.graphql: a GraphQL query came back without data (exit 2)
    ├── IndexMissing                        councilcode.indexer: no index yet (also FileNotFoundError, exit 2)
    ├── IndexBusy                           councilcode.indexer: another writer kept the lock (also RuntimeError)
    ├── IndexDamaged                        councilcode.indexer: an index file missing or cut short (also RuntimeError)
    ├── InvalidSearch                       councilcode.indexer: a search value out of range (also ValueError, exit 2)
    └── CrawlInterrupted                    councilcode.cli.jobs: stopped on request; prints the message alone

Where a class also derives from a built-in (FileNotFoundError, ValueError, RuntimeError) it is so that callers
written against the built-in keep working.
"""

from __future__ import annotations

__all__ = ["CouncilcodeError"]


class CouncilcodeError(Exception):
    """An error with a message meant for a person, and the exit status the command line ends with."""

    exit_code: int = 1

    def report(self) -> str:
        """What the command line prints on stderr (one or more lines)."""
        return f"error: {self}"
