"""Tests for crawler.licence: recognising licence files, GitHub's licence field, descriptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from councilcode.crawler.licence import RULES, identify_licence, licence_from_github
from councilcode.crawler.text import decode_text
from councilcode.licences import describe_licence, licence_family
from tests.github_emulator import CORPUS_DIR as CORPUS
from tests.github_emulator import CORPUS_LICENCES


def _corpus_or_skip() -> Path:
    if not (CORPUS / "repos").is_dir():
        pytest.skip(f"the UK council corpus is not at {CORPUS}")
    return CORPUS


def _licence_paths(corpus: Path) -> dict[str, Path]:
    """{"org/repo": licence file} for every corpus repository whose meta.json names one."""
    paths = {}
    for meta_file in sorted((corpus / "repos").glob("*/*/meta.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("license_path"):
            paths[f"{meta['org']}/{meta['name']}"] = meta_file.parent / meta["license_path"]
    return paths


@pytest.mark.parametrize("repo", sorted(CORPUS_LICENCES))
def test_corpus_licence_files_are_recognised(repo: str) -> None:
    path = _licence_paths(_corpus_or_skip()).get(repo)
    assert path is not None, f"{repo} has no licence file in the corpus"
    assert identify_licence(decode_text(path.read_bytes())) == CORPUS_LICENCES[repo]


def test_expected_table_covers_every_corpus_licence_file() -> None:
    assert set(_licence_paths(_corpus_or_skip())) == set(CORPUS_LICENCES)


# --- Synthetic texts ---------------------------------------------------------------------------

MIT_BODY = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY.
"""

BSD_2_CLAUSES = """Copyright (c) 2020, A Council
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
"""
BSD_THIRD_CLAUSE = """
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.
"""
BSD_DISCLAIMER = """
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES ARE DISCLAIMED.
"""


def gnu_notice(name: str, version: str) -> str:
    """The standard "how to apply" notice of a GNU licence."""
    return f"""This program is free software: you can redistribute it and/or modify
it under the terms of the {name} as published by
the Free Software Foundation, either version {version} of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
{name} for more details.
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The Open Government Licence: one-line pointers, by URL or in words.
        (
            "This code is released under the [Open Government Licence](http://www.nationalarchives.gov.uk"
            "/doc/open-government-licence/version/1/open-government-licence.htm).",
            "OGL-UK-1.0",
        ),
        (
            "This code is released under the [Open Government Licence](http://www.nationalarchives.gov.uk"
            "/doc/open-government-licence/version/2/).",
            "OGL-UK-2.0",
        ),
        (
            "Licence: https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/\n",
            "OGL-UK-3.0",
        ),
        ("Released under the Open Government Licence v2.0.", "OGL-UK-2.0"),
        ("This software is available under the Open Government Licence v3.0.", "OGL-UK-3.0"),
        ("Licensed under the Open Government License, version 3.", "OGL-UK-3.0"),
        ("Licence: OGL v3", "OGL-UK-3.0"),
        ("Licence: OGL-UK-2.0", "OGL-UK-2.0"),
        ("© Crown copyright. Licensed under the OGLv3.0.", "OGL-UK-3.0"),
        # No version: the current one, 3.0.
        (
            "Released under the [OGL](https://www.nationalarchives.gov.uk/doc/open-government-licence/).",
            "OGL-UK-3.0",
        ),
        ("See http://example.gov.uk/open-government-licence/ for terms.", "OGL-UK-3.0"),
        ("This code is released under the Open Government Licence.", "OGL-UK-3.0"),
        # Other governments' OGLs, and the Open Game License, are not the UK OGL.
        ("Contains information licensed under the Open Government Licence – Canada.", None),
        ("This is version 2.0 of the Open Government Licence - Ontario.", None),
        ("OPEN GAME LICENSE Version 1.0a. The OGL v1.0a applies to this content.", None),
        # MIT in its usual variants.
        ("MIT License\n\nCopyright (c) 2021 A Council\n\n" + MIT_BODY, "MIT"),
        ("The MIT License (MIT)\n\nCopyright (C) 2017 Crown Copyright (GDS)\n\n" + MIT_BODY, "MIT"),
        ("MIT License\nAuthor: someone\nCopyright (c) 2019 A Council\n\n" + MIT_BODY, "MIT"),
        ("The MIT License (MIT)\n\nCopyright (c) 2016\n\n" + MIT_BODY.replace("\n", " "), "MIT"),
        (
            "# MIT Licence\n\n_Copyright © 2020 **A Council**_\n\n"
            + MIT_BODY.replace('"Software"', "“Software”").replace("merge, publish", "merge, *publish*"),
            "MIT",
        ),
        ("MIT License\r\n\r\n" + MIT_BODY.replace("\n", "\r\n"), "MIT"),
        # Whichever licence starts first is the project's.
        (
            "MIT License\n\n" + MIT_BODY + "\nThe documentation is available under the Open Government Licence v3.0.\n",
            "MIT",
        ),
        (
            "This code is released under the Open Government Licence v3.0.\n\nIt bundles a library "
            "under this licence:\n\n" + MIT_BODY,
            "OGL-UK-3.0",
        ),
        # A one-line MIT pointer counts as the grant when it comes first (traffordDataLab/spatial_data);
        # a bare title or a list of licence names does not.
        (
            "Code within this repository is released under the MIT Licence.\nAll other resources are "
            "released under the Open Government Licence 3.0 (OGL).\n\n---\n\nMIT License\n\n"
            + MIT_BODY
            + "\n---\n\nOpen Government Licence 3.0\n",
            "MIT",
        ),
        ("This project is licensed under the terms of the MIT license.", "MIT"),
        ("MIT License", None),
        ("Licences of the bundled libraries: MIT License, Apache License.", None),
        # Apache: the file header as well as the full text's title.
        (
            'Licensed under the Apache License, Version 2.0 (the "License");\n'
            "you may not use this file except in compliance with the License.\n"
            "You may obtain a copy of the License at\n\n    http://www.apache.org/licenses/LICENSE-2.0\n",
            "Apache-2.0",
        ),
        ("                                 Apache License\n   Version 2.0, January 2004\n", "Apache-2.0"),
        # BSD: the third clause ("Neither the name ...") makes the difference.
        (BSD_2_CLAUSES + BSD_DISCLAIMER, "BSD-2-Clause"),
        (BSD_2_CLAUSES + BSD_THIRD_CLAUSE + BSD_DISCLAIMER, "BSD-3-Clause"),
        # The GNU family: notices and title lines, which also mention one another.
        (gnu_notice("GNU General Public License", "2"), "GPL-2.0"),
        (gnu_notice("GNU General Public License", "3"), "GPL-3.0"),
        (gnu_notice("GNU General Public Licence", "3").replace("License", "Licence"), "GPL-3.0"),
        (gnu_notice("GNU Lesser General Public License", "2.1"), "LGPL-2.1"),
        (gnu_notice("GNU Lesser General Public License", "3"), "LGPL-3.0"),
        (gnu_notice("GNU Affero General Public License", "3"), "AGPL-3.0"),
        (
            "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n\n(Some other Free Software Foundation "
            "software is covered by the GNU Lesser General Public License instead.)",
            "GPL-2.0",
        ),
        (
            "GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007\n\n13. Use with the GNU Affero General "
            "Public License. ... use the GNU Lesser General Public License instead of this License.",
            "GPL-3.0",
        ),
        (
            "GNU LESSER GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007\n\nThis version of the GNU Lesser "
            "General Public License incorporates the terms and conditions of version 3 of the GNU General "
            "Public License, supplemented by the additional permissions listed below.",
            "LGPL-3.0",
        ),
        (
            "GNU LESSER GENERAL PUBLIC LICENSE\n Version 2.1, February 1999\n\n... the ordinary GNU "
            "General Public License, version 2 ...",
            "LGPL-2.1",
        ),
        (
            "GNU AFFERO GENERAL PUBLIC LICENSE\n Version 3, 19 November 2007\n\n13. Remote Network "
            "Interaction; Use with the GNU General Public License.",
            "AGPL-3.0",
        ),
        # The rest of the list.
        (
            "ISC License\n\nCopyright (c) 2020 A Council\n\nPermission to use, copy, modify, and/or distribute "
            "this software for any purpose with or without fee is hereby granted, provided that the above "
            "copyright notice and this permission notice appear in all copies.",
            "ISC",
        ),
        (
            "This Source Code Form is subject to the terms of the Mozilla Public\nLicense, v. 2.0. If a copy "
            "of the MPL was not distributed with this\nfile, You can obtain one at http://mozilla.org/MPL/2.0/.",
            "MPL-2.0",
        ),
        ("Mozilla Public License Version 2.0\n==================================\n", "MPL-2.0"),
        ("Eclipse Public License - v 2.0\n\nTHE ACCOMPANYING PROGRAM IS PROVIDED UNDER ...", "EPL-2.0"),
        ("**Eclipse Public License - v 1.0**\n\nTHE ACCOMPANYING PROGRAM IS PROVIDED ...", "EPL-1.0"),
        (
            "This is free and unencumbered software released into the public domain.\n\nAnyone is free to "
            "copy, modify, publish, use, compile, sell, or distribute this software.",
            "Unlicense",
        ),
        ("Creative Commons Legal Code\n\nCC0 1.0 Universal\n", "CC0-1.0"),
        (
            "Attribution 4.0 International\n\nCreative Commons Attribution 4.0 International Public License",
            "CC-BY-4.0",
        ),
        (
            "Attribution-ShareAlike 4.0 International\n\nCreative Commons Attribution-ShareAlike 4.0 "
            "International Public License",
            "CC-BY-SA-4.0",
        ),
        ("Licensed under https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        # Not licences, or not ones we know.
        ("", None),
        ("   \n\t\n", None),
        ("# Bin collections\n\nScripts for the council's bin collection calendar. Run `make`.", None),
        ("Copyright (c) 2020 A Council. All rights reserved.", None),
        ("GNU GENERAL PUBLIC LICENSE\nVersion 1, February 1989\n", None),
        ("MIT No Attribution\n\nPermission is hereby granted, free of charge, to any person obtaining a copy", None),
    ],
)
def test_identify_licence(text: str, expected: str | None) -> None:
    assert identify_licence(text) == expected


# Debian and Ubuntu ship the canonical texts of several licences; use them where present.
COMMON_LICENCES = {
    "Apache-2.0": "Apache-2.0",
    "BSD": "BSD-3-Clause",
    "CC0-1.0": "CC0-1.0",
    "GPL-2": "GPL-2.0",
    "GPL-3": "GPL-3.0",
    "LGPL-2": "LGPL-2.0",
    "LGPL-2.1": "LGPL-2.1",
    "LGPL-3": "LGPL-3.0",
    "MPL-2.0": "MPL-2.0",
    "GFDL-1.3": None,
    "Artistic": None,
}


@pytest.mark.parametrize("name", sorted(COMMON_LICENCES))
def test_canonical_texts_from_the_system(name: str) -> None:
    path = Path("/usr/share/common-licenses") / name
    if not path.is_file():
        pytest.skip(f"{path} is not on this system")
    assert identify_licence(decode_text(path.read_bytes())) == COMMON_LICENCES[name]


# --- GitHub's licence field -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("license_obj", "expected"),
    [
        (None, (None, False)),
        (
            {
                "key": "mit",
                "name": "MIT License",
                "spdx_id": "MIT",
                "url": "https://api.github.com/licenses/mit",
                "node_id": "MDc6TGljZW5zZTEz",
            },
            ("MIT", False),
        ),
        ({"key": "gpl-3.0", "name": "GNU General Public License v3.0", "spdx_id": "GPL-3.0"}, ("GPL-3.0", False)),
        ({"key": "bsl-1.0", "name": "Boost Software License 1.0", "spdx_id": "BSL-1.0"}, ("BSL-1.0", False)),
        ({"key": "other", "name": "Other", "spdx_id": "NOASSERTION", "url": None}, (None, True)),
        ({"key": "other", "name": "Other", "spdx_id": None}, (None, True)),
        ({"key": "other", "name": "Other"}, (None, True)),
        ({"key": "agpl-3.0", "spdx_id": None}, ("AGPL-3.0", False)),  # id recovered from the key
        ({}, (None, True)),
    ],
)
def test_licence_from_github(license_obj: dict | None, expected: tuple[str | None, bool]) -> None:
    assert licence_from_github(license_obj) == expected


# --- Descriptions and families ----------------------------------------------------------------


def test_describe_no_licence() -> None:
    assert describe_licence(None) == (
        "No licence: nobody may reuse this code without the owner's permission; ask the council."
    )


@pytest.mark.parametrize("spdx_id", ["OGL-UK-1.0", "OGL-UK-2.0", "OGL-UK-3.0"])
def test_describe_ogl(spdx_id: str) -> None:
    assert describe_licence(spdx_id) == (
        "Open Government Licence: you may copy, adapt and use it commercially, as long as you acknowledge the source."
    )


def test_describe_mit_and_gpl() -> None:
    assert "permissive" in describe_licence("MIT")
    assert "copyleft" in describe_licence("GPL-3.0")


def test_describe_unknown_id_names_it() -> None:
    description = describe_licence("WTFPL")
    assert "WTFPL" in description
    assert "\n" not in description


def test_every_recognised_licence_has_its_own_description() -> None:
    generic = describe_licence("NO-SUCH-LICENCE")
    for spdx_id in {rule.spdx_id for rule in RULES}:
        description = describe_licence(spdx_id)
        assert description != generic.replace("NO-SUCH-LICENCE", spdx_id), spdx_id
        assert "\n" not in description


@pytest.mark.parametrize(
    ("spdx_id", "family"),
    [("OGL-UK-1.0", "OGL"), ("OGL-UK-3.0", "OGL"), ("MIT", "MIT"), ("GPL-2.0", "GPL-2.0"), (None, None)],
)
def test_licence_family(spdx_id: str | None, family: str | None) -> None:
    assert licence_family(spdx_id) == family
