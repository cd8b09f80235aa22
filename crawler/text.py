"""Turning the raw bytes of README and licence files into text."""

from __future__ import annotations

import codecs

# Windows editors (Notepad, Visual Studio, PowerShell's `>`) write UTF-16 with a byte-order mark.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes) -> str:
    """Decode the bytes of a README or licence file without ever raising.

    GitHub serves file contents as bytes with no reliable charset, and council repositories
    hold files written on every kind of machine over fifteen years. So try, in order:

    1. UTF-16, only when the data starts with a UTF-16 byte-order mark (the mark is dropped);
    2. UTF-8, dropping a leading UTF-8 byte-order mark (what most files are);
    3. cp1252, the Windows "ANSI" code page behind most non-UTF-8 text from UK offices
       (curly quotes, en dashes, the pound sign);
    4. latin-1, which maps every byte to a character and so cannot fail.

    Nothing else is changed: line endings stay as they were (a CRLF file stays CRLF), so the
    stored text is exactly what is in the repository.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")  # reads the BOM for byte order, then drops it
        except UnicodeDecodeError:
            pass  # a BOM-like start on something that is not UTF-16 after all
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
