"""Text from GitHub (descriptions, names, error messages quoting its answers) as a terminal should show it.

Rich reads `[...]` in a plain string as markup: `[/nope]` raised MarkupError in `councilcode search`, and
`[link=...]` made a hyperlink. Escape sequences in a description could clear the screen or retitle the window.
So untrusted text goes to the terminal only through `plain` (for click.echo) or `plain_text` (a rich `Text`,
which is never parsed for markup), with the control characters taken out.
"""

from __future__ import annotations

import re

from rich.text import Text

# Line breaks and tabs are kept where the caller allows them; every other control character is dropped:
# C0 (ESC starts the escape sequences), DEL, C1 (CSI and OSC are single bytes there), and the bidirectional
# overrides and isolates that reorder what a terminal shows.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_BREAKS = re.compile("[\t\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone one cannot be encoded for the terminal at all


def plain(text: str, *, keep_lines: bool = False) -> str:
    """`text` without control characters; line breaks and tabs become spaces unless `keep_lines`."""
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
    return text if keep_lines else _BREAKS.sub(" ", text)


def plain_text(text: str | None, style: str = "", *, keep_lines: bool = False) -> Text:
    """A rich `Text` of untrusted `text`: shown as written, never read as markup."""
    return Text(plain(text or "", keep_lines=keep_lines), style=style)
