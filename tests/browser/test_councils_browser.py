"""/councils in Chromium: every current UK council of the register, and no accessibility violations.

Skips cleanly when Chromium, Playwright or the corpus is missing (the `server` fixture serves the corpus);
the register itself is package data, so it is always there.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from councilcode.register import load_register
from tests.browser.fixtures import axe_violations

pytestmark = pytest.mark.browser


def test_councils_page_shows_every_current_council(page: Any) -> None:
    page.goto("/councils")
    current = load_register().current()
    codes = page.locator("main section abbr").all_inner_texts()
    assert sorted(codes) == sorted(a.code for a in current)
    nations = page.locator("main section h2").all_inner_texts()
    # The corpus also has bodies that are not councils (LocalGov Drupal, a fire service): listed after the nations.
    assert nations == ["England", "Scotland", "Wales", "Northern Ireland", "Other public bodies"]
    lede = page.locator(".lede").inner_text()
    assert lede.endswith(f"of {len(current)} councils publish code we know of.")
    known = int(lede.split(" of ")[0])
    assert page.get_by_text("No GitHub organisation known.").count() == len(current) - known
    # A council we crawl links to its page; one we do not says how to add it.
    assert page.locator('main section a[href="/councils/london-borough-of-hackney"]').count() == 1
    page.locator('main section a[href="/about#add-your-council"]').first.click()
    assert page.url.endswith("/about#add-your-council")


def test_axe_finds_no_violations_on_the_councils_page(page: Any) -> None:
    page.goto("/councils")
    results = axe_violations(page)
    assert results == [], json.dumps(results, indent=2)


def test_councils_page_fits_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/councils")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
