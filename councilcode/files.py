"""Replacing a file so that a reader, or a crash, sees the old contents or the new, never a mix."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed over `path` when the block ends, removed if it fails.

    Beside `path` means the same filesystem, so the rename is atomic; the folder is then synced so the rename
    itself survives a power cut. A file that existed keeps its permissions; a new one gets the usual (0666 less
    umask). The block writes the file however it likes (bytes, a text stream, an SQLite backup).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A random name, so two writers (processes or threads) never share a temporary file.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        yield temporary
        with contextlib.suppress(FileNotFoundError):  # a new file keeps the mode it was created with
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_atomically(path: Path | str, data: str | bytes, *, check: Callable[[Path], None] | None = None) -> None:
    """Replace `path` with `data` (text is written as UTF-8, exactly as given) in one step (see `replacing`).

    The data is flushed to disk before the rename; `check(temporary)` may read it back and raise to leave
    `path` untouched.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as temporary:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(temporary)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every filesystem allows opening or syncing a directory.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
