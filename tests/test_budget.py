"""The crawl's estimate of its cost, set against the rate limit left before anything is spent."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from councilcode.catalogue import Catalogue, HandleFootprint
from councilcode.cli import cli
from councilcode.cli.jobs import run_crawl
from councilcode.crawler.budget import GUESS_REPOSITORIES, Estimate, estimate_rest, plan
from councilcode.crawler.github import RateLimit
from tests.github_emulator import FakeRepo

NOW = 1_800_000_000.0


def footprint(
    handle: str, repositories: int, changed: int, licences: list[str | None] | None = None
) -> HandleFootprint:
    return HandleFootprint(handle, "Organization", True, repositories, licences or [None] * repositories, changed)


def test_a_handle_crawled_before_costs_what_changed_at_its_last_crawl() -> None:
    footprints = {
        "steady": footprint("steady", 250, 0),
        "busy": footprint("busy", 10, 4, ["OGL-UK-3.0"] * 5 + ["MIT"] * 5),
    }
    estimate = estimate_rest(footprints, ["Steady", "busy"])
    # steady: every answer a free 304. busy: its one listing page, 4 READMEs and (half its licences are files) 2.
    assert (estimate.expected, estimate.new_handles) == (1 + 4 + 2, 0)
    # At most: each handle's account, its pages, every README and every licence file.
    assert estimate.upper == (1 + 3 + 250) + (1 + 1 + 10 + 5)


def test_a_new_handle_is_counted_at_the_mean_of_those_crawled_or_a_stated_guess() -> None:
    known = {"a": footprint("a", 30, 0), "b": footprint("b", 10, 0)}
    estimate = estimate_rest(known, ["a", "b", "new"])
    assert estimate.expected == 1 + 1 + 20  # mean 20: account, one page, 20 READMEs, no licence files
    assert estimate.new_handles == 1 and "the mean of those crawled" in estimate.assumptions[0]

    unknown = HandleFootprint("typo", None, False, 0, [], 0, failed_before=True)
    assert estimate_rest(known | {"typo": unknown}, ["typo"]).expected == 2  # /orgs and /users answer 404 again

    first = estimate_rest({}, ["x", "y"])
    per = 1 + 1 + GUESS_REPOSITORIES + round(GUESS_REPOSITORIES * 0.1)
    assert first.expected == 2 * per and "a guess until one is crawled" in first.assumptions[0]


def test_a_plan_over_budget_without_a_token_says_how_long_and_how_to_set_one() -> None:
    estimate = Estimate("requests", "core", expected=300, upper=400, handles=57, new_handles=57)
    budget = RateLimit("core", 60, 50, NOW + 1200)
    over = plan(estimate, budget, authenticated=False, concurrency=8, seconds_per_request=0.2, now=NOW, max_wait=0)
    assert not over.fits
    # 250 short at 60 an hour: the 20 minutes to the reset, then four more hours.
    assert over.wait_seconds == 1200 + 4 * 3600
    text = over.message()
    assert "about 300 requests for 57 handles, 57 of them new (up to 400" in text
    assert "GitHub allows 50 of 60 more until" in text and "4.3 hours" in text
    assert "set GITHUB_TOKEN to a personal access token" in text
    assert "--max-wait 0s stops the crawl" in text
    assert over.record() == {
        "estimate_unit": "requests",
        "estimate_expected": 300,
        "estimate_upper": 400,
        "estimate_seconds": round(over.seconds, 1),
        "rate_limit_before": 50,
    }

    within = plan(estimate, RateLimit("core", 5000, 4900, NOW + 60), authenticated=True, concurrency=8,
                  seconds_per_request=0.2, now=NOW)  # fmt: skip
    assert within.fits and within.wait_seconds == 0 and within.seconds == pytest.approx(38 * 0.2)
    assert "GITHUB_TOKEN" not in within.message()


def test_a_graphql_estimate_is_set_against_the_graphql_budget() -> None:
    points = Estimate("points", "graphql", expected=120, upper=200, handles=3)
    made = plan(points, RateLimit("graphql", 5000, 100, NOW + 60), authenticated=True, concurrency=1,
                seconds_per_request=0.0, now=NOW)  # fmt: skip
    assert not made.fits and "about 120 points" in made.message()


def test_each_run_keeps_its_estimate_beside_what_it_spent(emulator, crawl_settings, caplog):
    caplog.set_level(logging.INFO, logger="councilcode.crawler.crawl")
    for handle, count in (("Small", 5), ("Large", 130)):
        for i in range(count):
            emulator.add_repo(handle, FakeRepo(name=f"r{i}", readme=b"# r"))
    settings = crawl_settings({"Small Council": ["Small"], "Large Council": ["Large"]})

    first = run_crawl(settings)  # new handles: a guess, and the guess is said
    emulator.update_repo("Large", "r7", readme=b"changed")
    emulator.update_repo("Large", "r8", readme=b"changed")
    second = run_crawl(settings)  # nothing changed at the first crawl (it only added): expects nothing
    emulator.update_repo("Large", "r9", readme=b"changed")
    emulator.update_repo("Large", "r10", readme=b"changed")
    third = run_crawl(settings)  # as many changes as last time: expects them

    assert "a guess until one is crawled" in caplog.text and "GitHub allows" in caplog.text
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        runs = {run.id: run for run in catalogue.runs()}
    one, two, three = (runs[s.run_id] for s in (first, second, third))
    assert one.estimate_expected == 2 * (1 + 1 + GUESS_REPOSITORIES + 2) and one.requests_charged == 2 + 3 + 135
    # The changed repositories share one listing page: that page and their two READMEs are charged.
    assert two.estimate_expected == 0 and two.requests_charged == 1 + 2
    # Expected: both of Large's pages (something changed last time) and two READMEs.
    assert three.estimate_expected == 2 + 2 and three.requests_charged == 1 + 2
    for run in (one, two, three):
        assert run.estimate_unit == "requests" and run.rate_limit_before is not None
        assert run.estimate_seconds is not None
    # Once every handle has been crawled, "up to" is a bound: every request charged.
    assert two.estimate_upper == three.estimate_upper == (1 + 1 + 5) + (1 + 2 + 130)

    status = CliRunner().invoke(cli, ["status", "--json", "--data-dir", str(settings.data_dir.root)])
    shown = json.loads(status.output)["runs"][0]
    assert (shown["estimate_expected"], shown["requests_charged"]) == (4, 3)
    table = CliRunner().invoke(cli, ["status", "--data-dir", str(settings.data_dir.root)])
    assert "estimate" in table.output and "4 (≤" in table.output


def test_without_a_token_and_over_budget_it_says_so_then_crawls_what_fits(emulator, crawl_settings, caplog):
    caplog.set_level(logging.INFO, logger="councilcode.crawler.crawl")
    for i in range(8):
        emulator.add_repo("Tight", FakeRepo(name=f"r{i}", readme=b"x"))
    emulator.set_rate_limit(6, 1800, authenticated=False)
    settings = crawl_settings({"Tight Council": ["Tight"]}, token=None, max_wait=0.0)

    summary = run_crawl(settings)

    warning = next(r for r in caplog.records if r.getMessage().startswith("Estimate:"))
    assert warning.levelno == logging.WARNING
    text = warning.getMessage()
    assert "GitHub allows 6 of 60 more until" in text and "That is not enough" in text
    assert "set GITHUB_TOKEN to a personal access token" in text and "--max-wait 0s stops the crawl" in text
    assert summary.stopped and summary.exit_code == 1  # today's --max-wait behaviour: stop cleanly


def test_a_graphql_crawl_estimates_points_and_keeps_what_it_spent(emulator, crawl_settings):
    for handle, count in (("Small", 5), ("Large", 130)):
        for i in range(count):
            emulator.add_repo(handle, FakeRepo(name=f"r{i}", readme=b"# r"))
    settings = crawl_settings({"Small Council": ["Small"], "Large Council": ["Large"]}, api="graphql")

    first = run_crawl(settings)
    second = run_crawl(settings)  # nothing changed: one probe query for the group

    assert first.plan is not None and first.plan.estimate.unit == "points"
    assert first.plan.budget is not None and first.plan.budget.resource == "graphql"
    with Catalogue(settings.data_dir.catalogue, readonly=True) as catalogue:
        runs = {run.id: run for run in catalogue.runs()}
    one, two = runs[first.run_id], runs[second.run_id]
    assert one.estimate_unit == two.estimate_unit == "points"
    assert one.points_spent is not None and one.points_spent > 0
    assert (two.estimate_expected, two.points_spent) == (1, 1)
    assert two.estimate_upper == 1 + (1 + 2) + 2  # probe, every listing page, texts of all 135
