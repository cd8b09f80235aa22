"""Where things live: the data dir and the files inside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_CONFIG = Path("config/orgs.yaml")


@dataclass(frozen=True)
class DataDir:
    """The data dir and the paths of what the crawler, indexer and viewer keep in it."""

    root: Path

    @classmethod
    def resolve(cls, given: str | os.PathLike[str] | None) -> DataDir:
        """`--data-dir` if given, else `$COUNCILCODE_DATA_DIR`, else `./data`."""
        chosen = given or os.environ.get("COUNCILCODE_DATA_DIR") or "data"
        return cls(Path(chosen))

    @property
    def catalogue(self) -> Path:
        return self.root / "catalogue.sqlite"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def lock(self) -> Path:
        return self.root / "crawl.lock"

    def ensure(self) -> DataDir:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
