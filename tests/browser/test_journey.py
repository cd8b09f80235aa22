"""A visitor's journey through `councilcode serve` over the real council corpus, in Chromium.

Skips cleanly when Chromium, Playwright or the corpus is missing; axe-core checks are skipped when
`npm install` has not been run (node_modules/axe-core).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.browser.fixtures import axe_violations
from tests.web_fixtures import HOSTILE_HANDLE

pytestmark = pytest.mark.browser

GRITTING = "east-sussex-county-council/Escc.Gritting"
HOSTILE = f"{HOSTILE_HANDLE}/xss-playground"
AXE_PAGES = ["/", "/search?q=gritting", f"/repos/{GRITTING}", "/councils", "/about"]


def test_search_for_gritting_finds_east_sussex(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Search council code").fill("gritting")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=gritting")
    result = page.get_by_role("link", name=GRITTING)
    assert result.is_visible()
    assert "East Sussex County Council" in page.locator(".results").inner_text()
    assert page.locator(".results mark").count() > 0


def test_licence_facet_narrows_a_broad_search(page: Any) -> None:
    page.goto("/search")
    broad = _result_count(page)
    facet = page.locator(".facet", has=page.get_by_role("heading", name="Licence"))
    facet.get_by_role("link", name="Open Government Licence", exact=False).first.click()
    page.wait_for_url("**license=OGL*")
    narrowed = _result_count(page)
    assert 0 < narrowed < broad
    licences = page.locator(".results .meta").all_inner_texts()
    assert licences and all("Open Government Licence" in text for text in licences)
    assert page.get_by_role("link", name="Remove filter", exact=False).first.is_visible()


def test_repository_readme_licence_and_similar_work(page: Any) -> None:
    page.goto("/search?q=gritting")
    page.get_by_role("link", name=GRITTING).click()
    page.wait_for_url(f"**/repos/{GRITTING}")
    assert page.get_by_role("heading", level=1).inner_text() == GRITTING
    readme = page.locator(".readme").inner_text()
    assert "A library for working with data about road gritting" in readme
    licence = page.locator(".summary-list").inner_text()
    assert "Open Government Licence v1.0" in licence
    assert "acknowledge the source" in page.locator(".licence-explanation").inner_text()
    assert page.get_by_role("link", name="gritting", exact=True).get_attribute("href") == "/search?topic=gritting"
    similar = page.locator(".similar a").first
    target = similar.inner_text()
    similar.click()
    page.wait_for_url(f"**/repos/{target}")
    assert page.get_by_role("heading", level=1).inner_text() == target
    assert "East Sussex" not in page.locator(".caption").inner_text()


PHONE_PAGES = [
    "/",
    "/search?q=gritting",
    "/search?q=council",
    f"/repos/{GRITTING}",
    f"/repos/{HOSTILE}",
    "/repos/LBCamden/lbcamden-frontend",
    "/repos/Dorset-Council-UK/GIFramework-Maps",
    "/councils",
    "/councils/east-sussex-county-council",
    "/about",
    "/repos/nobody/nothing",
]


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_no_horizontal_scroll_at_320_pixels(page: Any, path: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_hostile_readme_runs_none_of_its_payloads(page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/repos/{HOSTILE}")
    page.wait_for_load_state("networkidle")
    # Interact with everything a payload might hang on.
    page.locator(".readme p").first.click()
    page.locator(".readme").hover()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__alerts") == []
    assert page.dialogs == []
    assert page.locator(".readme script, .readme iframe, .readme svg, .readme style, .readme form").count() == 0
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    assert page.locator("[onerror], [onload], [onclick], [ontoggle]").count() == 0
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]
    # The payload's text, shown as text in the description, must not have become markup either.
    assert "<script>" in page.locator(".lede").inner_text()


def test_keyboard_skip_link_comes_first(page: Any) -> None:
    page.goto("/search?q=gritting")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    # Keep tabbing: the search box and its button are reachable without a mouse.
    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()"))
    assert "q" in reached and "Search" in reached


@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_no_violations(page: Any, path: str) -> None:
    page.goto(path)
    results = axe_violations(page)
    assert results == [], json.dumps(results, indent=2)


def test_api_answers_the_same_search(page: Any, server: str) -> None:
    page.goto("/search?q=gritting")
    shown = page.locator(".results h2 a").all_inner_texts()
    body = httpx.get(server + "/api/search", params={"q": "gritting"}, timeout=10).json()
    assert [hit["full_name"] for hit in body["results"]] == shown
    assert body["total"] == _result_count(page)


def _result_count(page: Any) -> int:
    text = page.locator(".result-count").inner_text()
    return int(text.split()[0].replace(",", ""))
