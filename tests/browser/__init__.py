"""Browser tests: Debian's Chromium driven by Playwright against a running `councilcode serve`."""
