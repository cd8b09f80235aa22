"""Issue 14 in Chromium over the real corpus: the reuse checklist and a broken publiccode.yml on a
repository page (shown as text, its problems named, no axe-core violations), and the reuse sort,
filter and facet used as a visitor would."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.fixtures import axe_violations
from tests.web_fixtures import HOSTILE_HANDLE

pytestmark = pytest.mark.browser

BROKEN = f"/repos/{HOSTILE_HANDLE}/xss-playground"  # its publiccode.yml lacks required keys
DORSET = "/repos/Dorset-Council-UK/GIFramework-Maps"


def test_a_broken_publiccode_shows_its_problems_on_the_page(page: Any) -> None:
    page.goto(BROKEN)
    section = page.locator("#publiccode")
    assert section.is_visible()
    warning = page.locator(".warning", has_text="publiccode.yml has problems")
    assert warning.is_visible()
    problems = page.locator(".publiccode-problems li").all_inner_texts()
    assert "required key 'url' is missing" in problems and len(problems) >= 5
    # The name holds markup: it is shown as text and nothing runs.
    assert "<script>alert(1)</script> budget" in page.locator(".summary-list").last.inner_text()
    assert page.evaluate("window.__alerts") == []
    checks = page.locator(".checklist li")
    assert checks.count() == 10
    assert "publiccode.yml has problems" in checks.nth(4).inner_text()


@pytest.mark.parametrize("path", [BROKEN, DORSET, "/search?q=&sort=reuse&has_publiccode=false&min_reuse=5"])
def test_axe_finds_no_violations_on_the_reuse_pages(page: Any, path: str) -> None:
    page.goto(path)
    results = axe_violations(page)
    assert results == [], json.dumps(results, indent=2)


def test_sort_by_reuse_then_filter_by_facets(page: Any) -> None:
    page.goto("/search?q=council")
    page.get_by_label("Sort by").select_option("reuse")
    page.get_by_role("button", name="Sort results").click()
    assert "sort=reuse" in page.url
    first = page.locator(".results h2 a").first.inner_text()
    page.locator(".facet", has_text="Reuse checks passed").locator("a").first.click()
    assert "min_reuse=" in page.url and "sort=reuse" in page.url
    assert page.locator(".results h2 a").first.inner_text() == first
    assert page.get_by_role("link", name="Remove filter: Reuse checks passed").first.is_visible()
    page.goto("/search?q=")
    page.locator(".facet", has_text="Has publiccode.yml").get_by_role("link", name="yes").click()
    assert "has_publiccode=true" in page.url
    assert page.locator(".results h2 a").all_inner_texts() == [f"{HOSTILE_HANDLE}/xss-playground"]
