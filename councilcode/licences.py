"""Licence naming, one place for every layer: families for filtering, readable names, plain-English meanings.

Data keeps GitHub's SPDX ids ("OGL-UK-3.0"); people read "Open Government Licence v3.0". The crawler recognises
licence files (`councilcode.crawler.licence`); the indexer filters by family; the viewer shows labels and meanings.
"""

from __future__ import annotations

__all__ = ["NO_LICENCE_LABEL", "OGL_FAMILY", "describe_licence", "licence_family", "licence_label"]

OGL_FAMILY = "OGL"

# Names for the ids the crawler recognises (see crawler.licence.RULES) and the family "OGL".
_LABELS: dict[str, str] = {
    "none": "No licence",
    OGL_FAMILY: "Open Government Licence (any version)",
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


# ---------------------------------------------------------------------------------------------
# Plain-English descriptions
# ---------------------------------------------------------------------------------------------

_OGL = "Open Government Licence: you may copy, adapt and use it commercially, as long as you acknowledge the source."
_PERMISSIVE = "permissive: you may use, change and share it, even commercially, as long as you keep the "
_GPL = "copyleft: you may use and change it, but if you share it or anything built on it, you must "
_PUBLIC_DOMAIN = "public domain: you may do anything with it, with no conditions at all."
_FOR_CONTENT = "meant for content rather than code: you may copy, adapt and use it commercially, as long as you "

# One line each, for people deciding whether they may reuse a council's code.
_DESCRIPTIONS: dict[str, str] = {
    "OGL-UK-1.0": _OGL,
    "OGL-UK-2.0": _OGL,
    "OGL-UK-3.0": _OGL,
    "MIT": "MIT Licence, " + _PERMISSIVE + "copyright and licence notice.",
    "ISC": "ISC Licence, " + _PERMISSIVE + "copyright and licence notice.",
    "BSD-2-Clause": "BSD 2-Clause Licence, " + _PERMISSIVE + "copyright notice and disclaimer.",
    "BSD-3-Clause": "BSD 3-Clause Licence, " + _PERMISSIVE + "copyright notice and disclaimer "
    "and do not use the authors' names to promote your work.",
    "BSD-4-Clause": "BSD 4-Clause Licence, " + _PERMISSIVE + "copyright notice and disclaimer "
    "and credit the authors in your advertising.",
    "Apache-2.0": "Apache Licence 2.0, " + _PERMISSIVE + "notices and say what you changed; "
    "it also gives you the authors' patent rights.",
    "GPL-2.0": "GNU GPL v2, " + _GPL + "release the source code under the GPL too.",
    "GPL-3.0": "GNU GPL v3, " + _GPL + "release the source code under the GPL too.",
    "AGPL-3.0": "GNU Affero GPL v3, " + _GPL + "release the source code under the AGPL too, "
    "even if you only run it as an online service.",
    "LGPL-2.0": "GNU LGPL v2, weak copyleft: you may use it from code under any licence, "
    "but changes to it must be shared under the LGPL.",
    "LGPL-2.1": "GNU LGPL v2.1, weak copyleft: you may use it from code under any licence, "
    "but changes to it must be shared under the LGPL.",
    "LGPL-3.0": "GNU LGPL v3, weak copyleft: you may use it from code under any licence, "
    "but changes to it must be shared under the LGPL.",
    "MPL-2.0": "Mozilla Public Licence 2.0, weak copyleft: you may combine it with code under any licence, "
    "but changes to its own files must be shared under the MPL.",
    "EPL-1.0": "Eclipse Public Licence 1.0, weak copyleft: you may build it into your own work, "
    "but changes to it must be shared under the EPL.",
    "EPL-2.0": "Eclipse Public Licence 2.0, weak copyleft: you may build it into your own work, "
    "but changes to it must be shared under the EPL.",
    "Unlicense": "The Unlicense, " + _PUBLIC_DOMAIN,
    "CC0-1.0": "Creative Commons Zero (CC0), " + _PUBLIC_DOMAIN,
    "CC-BY-4.0": "Creative Commons Attribution 4.0, " + _FOR_CONTENT + "credit the author.",
    "CC-BY-SA-4.0": "Creative Commons Attribution-ShareAlike 4.0, "
    + _FOR_CONTENT
    + "credit the author and share your version under the same licence.",
}

_NO_LICENCE = "No licence: nobody may reuse this code without the owner's permission; ask the council."


def describe_licence(spdx_id: str | None) -> str:
    """Explain in one plain-English line what a person may do with code under `spdx_id`.

    None means the repository has no licence. Ids this module does not describe get a generic
    sentence that names the id.
    """
    if spdx_id is None:
        return _NO_LICENCE
    description = _DESCRIPTIONS.get(spdx_id)
    if description is None:
        return f"Licensed under {spdx_id}: read the licence to see what it lets you do with this code."
    return description


def licence_family(spdx_id: str | None) -> str | None:
    """Group licence versions for filtering: "OGL" for every OGL-UK-* id, otherwise the id itself."""
    if spdx_id is not None and spdx_id.upper().startswith("OGL-UK-"):
        return OGL_FAMILY
    return spdx_id


def is_open_licence(spdx_id: str | None) -> bool:
    """Whether `spdx_id` is an open licence this module knows (the OGL family included); not NOASSERTION."""
    return spdx_id in _DESCRIPTIONS
