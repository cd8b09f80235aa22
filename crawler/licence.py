"""Licences: recognising licence files, reading GitHub's licence field, explaining licences.

Ids are SPDX-style and spelled the way GitHub's `spdx_id` spells them where GitHub knows the
licence ("GPL-3.0", not "GPL-3.0-only"), so ids from GitHub and ids from `identify_licence`
can be compared and filtered on directly.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from councilcode.licences import licence_family

__all__ = ["identify_licence", "licence_from_github"]


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

# An HTML tag such as <br> or </p>; not an autolink such as <http://fsf.org/>, whose URL we keep.
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>", re.IGNORECASE)
# Everything that is not a letter or digit, underscores included (they are Markdown emphasis).
_NON_WORD = re.compile(r"[\W_]+")
# British and American spellings are both common in council repositories.
_LICENCE_SPELLING = re.compile(r"\blicenc(e|es|ed|ing)\b")


def _normalise(text: str) -> str:
    """Reduce licence text to lower-case words separated by single spaces.

    All punctuation becomes a space. That one step unifies curly and straight quotes and every
    kind of dash, strips Markdown emphasis, headings, setext underlines and link brackets, and
    makes "v3.0", "version/3/" and "2.1," comparable ("v3 0", "version 3", "2 1"). A Markdown
    link keeps both its text and its URL, because for the Open Government Licence the version
    is often only in the URL. "Licence" is respelt "license" so one phrase matches both.
    """
    text = html.unescape(text)  # "&lt;" in Markdown-converted GNU texts, "&amp;" in READMEs
    text = unicodedata.normalize("NFKC", text)  # non-breaking spaces, ligatures, full-width forms
    text = _HTML_TAG.sub(" ", text)
    text = _NON_WORD.sub(" ", text.lower())
    return _LICENCE_SPELLING.sub(r"licens\1", text).strip()


# ---------------------------------------------------------------------------------------------
# Recognition rules
# ---------------------------------------------------------------------------------------------

Phrase = str | re.Pattern[str]


@dataclass(frozen=True)
class Rule:
    """One way of recognising a licence.

    A text is that licence when it contains every phrase in `all_of` and none in `none_of`.
    Plain-string phrases are written as they appear in the licence and normalised like the
    text, matching whole words only; compiled patterns run against the normalised text as is
    (lower-case words, single spaces, "licence" spelt "license").

    `unversioned` marks a rule that names a licence but not its version: if a rule for a
    specific version of the same licence family also matches anywhere in the text, that one
    gives the answer ("[Open Government Licence](.../version/1/)" is OGL-UK-1.0).
    """

    spdx_id: str
    all_of: tuple[Phrase, ...]
    none_of: tuple[Phrase, ...] = ()
    unversioned: bool = False


# Open Government Licences of other governments (Canada and its provinces and towns) and the
# Open Game License ("OGL") must not be taken for the UK OGL.
_NOT_UK_OGL: tuple[Phrase, ...] = (
    re.compile(
        r"\bopen government license (?:canada|ontario|alberta|british columbia|nova scotia"
        r"|new brunswick|newfoundland|prince edward island|manitoba|saskatchewan|quebec|yukon"
        r"|city of|town of|region of|county of|for government of)\b"
    ),
    "Open Game License",
)


def _ogl_rules(n: int) -> tuple[Rule, ...]:
    """Rules recognising version `n` of the UK Open Government Licence, in any of its forms."""
    version = rf"(?:v ?|version )?{n}(?: 0)?\b"  # "v3", "v 3", "version 3", "3 0", "v3 0"
    phrases = (
        # A link ".../doc/open-government-licence/version/3/", or "Open Government Licence v3".
        rf"\bopen government license {version}",
        # The full text: "This is version 3.0 of the Open Government Licence."
        rf"\bversion {n}(?: 0)? of the open government license\b",
        # Abbreviations: "OGL v3", "OGLv3.0", "OGL-UK-3.0". A bare "OGL v1.0" is left out
        # because that is also how the Open Game License is cited.
        rf"\bogl uk {n} 0\b" if n == 1 else rf"\bogl(?: uk)? ?{version}",
    )
    return tuple(Rule(f"OGL-UK-{n}.0", (re.compile(p),), _NOT_UK_OGL) for p in phrases)


# How a short notice says that something is under a licence: "released under", "licensed under".
_GRANTED = "released|licensed|available|distributed|published|provided"

# GNU notices ("... under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or ...") name the version separately.
_GPL_NOTICE = "terms of the GNU General Public License"
_LGPL_NOTICE = "terms of the GNU Lesser General Public License"

# Which rule wins: the licence that starts earliest in the text, so that a project licence
# followed by the licences of bundled third-party code is read as the project's licence, and
# "code under MIT, documentation under the OGL" as MIT. Rules matching at the same place are
# settled by their order in this table, hence:
# - AGPL before LGPL before GPL, later versions before earlier ones. The GNU texts all mention
#   each other (GPL-3.0 has a section on the AGPL and recommends the LGPL; the LGPLs build on
#   the GPL; MPL-2.0 and EPL-2.0 name GPL-2.0, LGPL-2.1 and AGPL-3.0 as secondary licences), so
#   GNU full texts are recognised by their title line with its date, which no other text
#   repeats, and GNU notices ("under the terms of the GNU ... either version 3 of the License")
#   by their wording plus the version;
# - BSD-4 before BSD-3 before BSD-2, each adding one clause to the next;
# - the OGL before Creative Commons (the OGL 3.0 text calls itself compatible with "Creative
#   Commons Attribution License 4.0", which the CC rules do not take for CC BY's own title).
# A reference to the OGL with no version (a link to ".../doc/open-government-licence/", or
# just "the Open Government Licence") means the licence as currently published, which has been
# version 3.0 since 2014, so it maps to OGL-UK-3.0.
RULES: tuple[Rule, ...] = (
    Rule("MPL-2.0", (re.compile(r"\bmozilla public license (?:version |v )?2 0\b"),)),
    Rule("EPL-2.0", (re.compile(r"\beclipse public license (?:version |v )?2 0\b"),)),
    Rule("EPL-1.0", (re.compile(r"\beclipse public license (?:version |v )?1 0\b"),)),
    Rule("AGPL-3.0", ("GNU Affero General Public License Version 3, 19 November 2007",)),
    Rule("AGPL-3.0", ("GNU Affero General Public License", "Remote Network Interaction")),
    Rule("AGPL-3.0", ("terms of the GNU Affero General Public License",)),
    Rule("LGPL-3.0", ("GNU Lesser General Public License Version 3, 29 June 2007",)),
    Rule("LGPL-3.0", ("incorporates the terms and conditions of version 3 of the GNU General Public",)),
    Rule("LGPL-3.0", (_LGPL_NOTICE, "version 3 of the License")),
    Rule("LGPL-2.1", ("GNU Lesser General Public License Version 2.1, February 1999",)),
    Rule("LGPL-2.1", (_LGPL_NOTICE, "version 2.1 of the License")),
    Rule("LGPL-2.0", ("GNU Library General Public License Version 2, June 1991",)),
    Rule("LGPL-2.0", ("terms of the GNU Library General Public License", "version 2 of the License")),
    Rule("GPL-3.0", ("GNU General Public License Version 3, 29 June 2007",)),
    Rule("GPL-3.0", ('"This License" refers to version 3 of the GNU General Public License',)),
    Rule("GPL-3.0", (_GPL_NOTICE, "version 3 of the License")),
    Rule("GPL-2.0", ("GNU General Public License Version 2, June 1991",)),
    Rule("GPL-2.0", (_GPL_NOTICE, "version 2 of the License")),
    # The full text ("Apache License Version 2.0, January 2004"), the file header ("Licensed
    # under the Apache License, Version 2.0"), and "Apache License v. 2.0" / "Apache 2.0 License".
    Rule("Apache-2.0", (re.compile(r"\bapache (?:license (?:version |v )?2 0|2 0 license)\b"),)),
    Rule(
        "BSD-4-Clause",
        (
            "Redistribution and use in source and binary forms",
            "All advertising materials mentioning features or use of this software",
        ),
    ),
    # The third clause: "Neither the name of the copyright holder nor the names of its
    # contributors may be used to endorse or promote products derived from this software".
    Rule(
        "BSD-3-Clause",
        (
            "Redistribution and use in source and binary forms",
            "to endorse or promote products derived from this software",
        ),
    ),
    Rule(
        "BSD-2-Clause",
        (
            "Redistribution and use in source and binary forms",
            "Redistributions of source code must retain the above copyright notice",
        ),
    ),
    Rule(
        "MIT",
        (
            "Permission is hereby granted, free of charge, to any person obtaining a copy",
            "The above copyright notice and this permission notice",
            "shall be included in all copies or substantial portions of the Software",
        ),
    ),
    # A pointer such as "Code within this repository is released under the MIT Licence", which
    # may stand for the text or come before it. A verb of licensing is required, so that a title,
    # a heading or a list of licence names that includes MIT is not taken for a grant.
    Rule("MIT", (re.compile(rf"\b(?:{_GRANTED}) under (?:the )?(?:terms of the )?mit license\b"),)),
    Rule(
        "ISC",
        (
            re.compile(r"\bpermission to use copy modify and (?:or )?distribute this software for any purpose"),
            "provided that the above copyright notice and this permission notice appear in all copies",
        ),
    ),
    Rule("Unlicense", ("This is free and unencumbered software released into the public domain",)),
    Rule("CC0-1.0", ("CC0 1.0 Universal",)),
    Rule("CC0-1.0", ("creativecommons.org/publicdomain/zero/1.0",)),
    *_ogl_rules(3),
    *_ogl_rules(2),
    *_ogl_rules(1),
    Rule("OGL-UK-3.0", ("Open Government Licence",), _NOT_UK_OGL, unversioned=True),
    Rule("CC-BY-SA-4.0", (re.compile(r"\bcreative commons attribution share ?alike 4 0\b"),)),
    Rule("CC-BY-SA-4.0", ("creativecommons.org/licenses/by-sa/4.0",)),
    Rule("CC-BY-4.0", ("Creative Commons Attribution 4.0 International",)),
    Rule("CC-BY-4.0", ("creativecommons.org/licenses/by/4.0",)),
)


def _compile(phrase: Phrase) -> re.Pattern[str]:
    """Turn a rule phrase into a pattern over normalised text."""
    if isinstance(phrase, re.Pattern):
        return phrase
    # Whole words only: "... public license" must not match the start of "... public licenses".
    return re.compile(rf"(?<!\w){re.escape(_normalise(phrase))}(?!\w)")


@dataclass(frozen=True)
class _Compiled:
    rank: int  # position in RULES
    rule: Rule
    all_of: tuple[re.Pattern[str], ...]
    none_of: tuple[re.Pattern[str], ...]

    def match(self, words: str) -> tuple[int, int] | None:
        """(where the match starts, rank) if the rule matches the normalised `words`."""
        found = [p.search(words) for p in self.all_of]
        if not all(found) or any(p.search(words) for p in self.none_of):
            return None
        return min(m.start() for m in found if m), self.rank


_COMPILED = tuple(
    _Compiled(rank, rule, tuple(map(_compile, rule.all_of)), tuple(map(_compile, rule.none_of)))
    for rank, rule in enumerate(RULES)
)


def identify_licence(text: str) -> str | None:
    """Return the SPDX-style id of the licence whose text (or pointer to it) `text` is.

    Recognises full licence texts and the standard short notices (GNU "how to apply" notices,
    the Apache file header, one-line links to the Open Government Licence, "released under the
    MIT Licence"), whatever their Markdown formatting, line wrapping, quote style or copyright
    lines. When a file holds several licences, the one that starts first wins. Returns None for an empty text or one
    that is not a licence listed in `RULES`.
    """
    words = _normalise(text)
    matches = sorted((where, c.rule) for c in _COMPILED if (where := c.match(words)) is not None)
    if not matches:
        return None
    winner = matches[0][1]
    if winner.unversioned:
        family = licence_family(winner.spdx_id)
        versioned = [r for _, r in matches if not r.unversioned and licence_family(r.spdx_id) == family]
        if versioned:
            winner = versioned[0]
    return winner.spdx_id


# ---------------------------------------------------------------------------------------------
# GitHub's licence field
# ---------------------------------------------------------------------------------------------

# Ids we know, by lower-case key, for a `license` object that has a key but no spdx_id.
_KNOWN_IDS = {rule.spdx_id.lower(): rule.spdx_id for rule in RULES}


def licence_from_github(license_obj: dict[str, Any] | None) -> tuple[str | None, bool]:
    """Read the `license` object of a GitHub repository listing.

    Returns `(spdx_id, needs_file)`. `needs_file` is True when GitHub found a licence file but
    could not say which licence it is (`spdx_id` "NOASSERTION", or no `spdx_id` and key
    "other"); the crawler should then fetch the file and call `identify_licence`. GitHub does
    not recognise the Open Government Licence, so that is how OGL repositories arrive. A
    repository with no licence (`None`) gives `(None, False)`.
    """
    if license_obj is None:
        return None, False
    spdx_id = (license_obj.get("spdx_id") or "").strip()
    if spdx_id and spdx_id.upper() != "NOASSERTION":
        return spdx_id, False
    key = (license_obj.get("key") or "").strip().lower()
    if key in _KNOWN_IDS:  # GitHub's keys are lower-case ids, e.g. "gpl-3.0"
        return _KNOWN_IDS[key], False
    # "other", or an object we cannot read: only the file itself can tell.
    return None, True


def needs_licence_file(stored: str | None) -> bool:
    """Whether a stored licence id is one that GitHub could not name, so the crawl fetched the file for it:
    the Open Government Licence (which GitHub does not recognise) and anything left unrecognised."""
    return stored is not None and (stored.upper() == "NOASSERTION" or stored.upper().startswith("OGL-"))
