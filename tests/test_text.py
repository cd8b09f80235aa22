"""Tests for crawler.text.decode_text."""

from __future__ import annotations

import codecs
import random

import pytest

from councilcode.crawler.text import decode_text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ""),
        (b"# Council code\n", "# Council code\n"),
        ("caf\u00e9 \u2192 \u00a35 \U0001f44d".encode(), "caf\u00e9 \u2192 \u00a35 \U0001f44d"),  # UTF-8
        (codecs.BOM_UTF8 + "caf\u00e9\n".encode(), "caf\u00e9\n"),  # BOM dropped
        (b"caf\xe9", "caf\u00e9"),  # latin-1 / cp1252 single byte
        (b"\x93hi\x94", "\u201chi\u201d"),  # cp1252 curly quotes
        (b"10 \x96 20 \x80", "10 \u2013 20 \u20ac"),  # cp1252 en dash and euro sign
        (b"\x81\x8d", "\x81\x8d"),  # undefined in cp1252: latin-1
        (codecs.BOM_UTF16_LE + "Licence \u00a9\r\n".encode("utf-16-le"), "Licence \u00a9\r\n"),
        (codecs.BOM_UTF16_BE + "Licence \u00a9\n".encode("utf-16-be"), "Licence \u00a9\n"),
    ],
)
def test_decode_text(data: bytes, expected: str) -> None:
    assert decode_text(data) == expected


@pytest.mark.parametrize("data", [b"line 1\r\nline 2\r\n", b"a\rb\nc\r\n", b"caf\xe9\r\n"])
def test_line_endings_are_kept(data: bytes) -> None:
    text = decode_text(data)
    assert text.encode("latin-1") == data


def test_crlf_utf8_with_bom_round_trips() -> None:
    data = codecs.BOM_UTF8 + "MIT Licence\r\n\r\n\u00a9 2020\r\n".encode()
    assert decode_text(data) == "MIT Licence\r\n\r\n\u00a9 2020\r\n"


def test_broken_utf16_after_a_bom_does_not_raise() -> None:
    # An odd number of bytes after a UTF-16 BOM cannot be UTF-16.
    assert decode_text(codecs.BOM_UTF16_LE + b"abc") == "\u00ff\u00feabc"


def test_invalid_bytes_never_raise() -> None:
    rng = random.Random(20261123)
    samples = [bytes([b]) for b in range(256)] + [bytes(range(256)), bytes(range(255, -1, -1))]
    samples += [rng.randbytes(rng.randrange(1, 64)) for _ in range(2000)]
    samples += [codecs.BOM_UTF16_LE + s for s in samples[:300]]
    samples += [codecs.BOM_UTF16_BE + s for s in samples[:300]]
    for data in samples:
        assert isinstance(decode_text(data), str)
