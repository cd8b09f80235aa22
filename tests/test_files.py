"""`write_atomically`: the one way councilcode replaces a file (orgs.yaml, the index pointer, the groups)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from councilcode.files import write_atomically


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_text_as_utf8_exactly_and_bytes_as_given(tmp_path: Path) -> None:
    text_file, bytes_file = tmp_path / "a.yaml", tmp_path / "sub" / "b.bin"
    write_atomically(text_file, "Ynys Môn\r\nline two\n")
    write_atomically(bytes_file, b"\x00\xff")
    assert text_file.read_bytes() == "Ynys Môn\r\nline two\n".encode()  # no newline translation
    assert bytes_file.read_bytes() == b"\x00\xff"  # the folder is made when missing
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "sub") == []


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    old = tmp_path / "orgs.yaml"
    old.write_text("before")
    old.chmod(0o640)
    write_atomically(old, "after")
    assert old.read_text() == "after"
    assert stat.S_IMODE(old.stat().st_mode) == 0o640

    umask = os.umask(0o027)
    try:
        new = tmp_path / "new.json"
        write_atomically(new, "{}")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640  # 0666 less the umask 027


def test_a_failed_check_leaves_the_file_untouched_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "orgs.yaml"
    path.write_text("before")
    seen: list[str] = []

    def refuse(written: Path) -> None:
        seen.append(written.read_text())
        assert written != path and written.parent == path.parent
        raise ValueError("does not read back as intended")

    with pytest.raises(ValueError, match="does not read back"):
        write_atomically(path, "after", check=refuse)
    assert seen == ["after"]  # the check saw the new contents, on disk, before the swap
    assert path.read_text() == "before"
    assert leftovers(tmp_path) == []


def test_a_passed_check_swaps_the_file_in(tmp_path: Path) -> None:
    path = tmp_path / "CURRENT"
    write_atomically(path, "one", check=lambda written: None)
    write_atomically(path, "two", check=lambda written: None)
    assert path.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT"]
