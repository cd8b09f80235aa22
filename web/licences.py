"""How licences are named on pages: people read "Open Government Licence v3.0", data keeps "OGL-UK-3.0"."""

from __future__ import annotations

from crawler.licence import describe_licence

__all__ = ["describe_licence", "licence_label"]

# Names for the ids the crawler recognises (see crawler.licence.RULES) and the family "OGL".
_LABELS: dict[str, str] = {
    "none": "No licence",
    "OGL": "Open Government Licence (any version)",
    "OGL-UK-1.0": "Open Government Licence v1.0",
    "OGL-UK-2.0": "Open Government Licence v2.0",
    "OGL-UK-3.0": "Open Government Licence v3.0",
    "MIT": "MIT Licence",
    "ISC": "ISC Licence",
    "BSD-2-Clause": "BSD 2-Clause Licence",
    "BSD-3-Clause": "BSD 3-Clause Licence",
    "BSD-4-Clause": "BSD 4-Clause Licence",
    "Apache-2.0": "Apache Licence 2.0",
    "GPL-2.0": "GNU GPL v2",
    "GPL-3.0": "GNU GPL v3",
    "AGPL-3.0": "GNU Affero GPL v3",
    "LGPL-2.0": "GNU LGPL v2",
    "LGPL-2.1": "GNU LGPL v2.1",
    "LGPL-3.0": "GNU LGPL v3",
    "MPL-2.0": "Mozilla Public Licence 2.0",
    "EPL-1.0": "Eclipse Public Licence 1.0",
    "EPL-2.0": "Eclipse Public Licence 2.0",
    "Unlicense": "The Unlicense",
    "CC0-1.0": "Creative Commons Zero (CC0)",
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution-ShareAlike 4.0",
}

NO_LICENCE_LABEL = "No licence"


def licence_label(spdx_id: str | None) -> str:
    """A readable name for a licence id; unknown ids are shown as they are."""
    if not spdx_id:
        return NO_LICENCE_LABEL
    return _LABELS.get(spdx_id, spdx_id)
