"""Scheduled crawls: the schedule itself (with a fake clock), the cross-process lock, SIGTERM, status."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from councilcode.catalogue import Catalogue
from councilcode.cli import cli
from councilcode.cli.jobs import CrawlInterrupted, run_crawl
from councilcode.cli.schedule import Schedule, Stopper, parse_every, run_schedule
from councilcode.lock import LockBusy, crawl_lock
from tests.github_emulator import FakeRepo, GitHubEmulator, add_synthetic_repos
from tests.helpers import config_text

ROOT = Path(__file__).resolve().parents[1]


class FakeClock:
    """A clock that moves only when the scheduler waits."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    @property
    def wait_total(self) -> float:
        return sum(self.waits)

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return False


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("6h", 21600), ("1d", 86400), ("1h30m", 5400)]
)
def test_intervals_are_parsed(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "6", "six hours", "0m", "6h and a bit"])
def test_bad_intervals_are_refused_with_a_clear_message(text):
    with pytest.raises(ValueError, match="interval"):
        parse_every(text)


def test_a_schedule_needs_exactly_one_of_cron_and_every():
    with pytest.raises(ValueError, match="exactly one"):
        Schedule()
    with pytest.raises(ValueError, match="exactly one"):
        Schedule(cron="0 3 * * *", every=60)
    with pytest.raises(ValueError, match="not a cron expression"):
        Schedule(cron="at three")


def test_an_interval_schedule_runs_at_once_then_every_interval():
    clock = FakeClock(ts("2026-01-01T00:00:00"))
    started: list[float] = []

    runs = run_schedule(
        Schedule(every=60), lambda: started.append(clock()), Stopper(), clock=clock, wait=clock.wait, max_runs=3
    )

    assert runs == 3
    assert [s - started[0] for s in started] == [0, 60, 120]


def test_a_cron_schedule_waits_for_the_next_matching_time():
    clock = FakeClock(ts("2026-01-01T01:30:00"))
    started: list[str] = []

    run_schedule(
        Schedule(cron="0 3 * * *"),
        lambda: started.append(datetime.fromtimestamp(clock(), UTC).isoformat()),
        Stopper(),
        clock=clock,
        wait=clock.wait,
        max_runs=2,
    )

    assert started == ["2026-01-01T03:00:00+00:00", "2026-01-02T03:00:00+00:00"]


def test_a_failing_run_is_logged_and_the_next_still_runs(caplog):
    clock = FakeClock(0.0)
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("GitHub fell over")

    with caplog.at_level(logging.ERROR):
        runs = run_schedule(Schedule(every=10), job, Stopper(), clock=clock, wait=clock.wait, max_runs=2)

    assert runs == 2 and len(calls) == 2
    assert "GitHub fell over" in caplog.text and "next one will still run" in caplog.text


def test_a_long_run_does_not_pile_up_missed_runs():
    clock = FakeClock(0.0)

    def slow_job() -> None:
        clock.now += 250  # longer than the interval

    run_schedule(Schedule(every=100), slow_job, Stopper(), clock=clock, wait=clock.wait, max_runs=3)

    # A run that overran its interval is followed by one a full interval after it ended, not by a burst.
    assert clock.wait_total == 100 + 100
    assert clock.now == 250 + 100 + 250 + 100 + 250


def test_a_stop_request_ends_the_wait():
    stopper = Stopper()
    clock = FakeClock(0.0)

    def wait(seconds: float) -> bool:
        stopper.request_stop()
        return stopper.stopped

    runs = run_schedule(Schedule(every=3600), lambda: None, stopper, clock=clock, wait=wait, max_runs=10)
    assert runs == 1


def _hold_lock(path: Path) -> subprocess.Popen[str]:
    code = (
        "import sys, time; from pathlib import Path; from councilcode.lock import crawl_lock\n"
        f"with crawl_lock(Path({str(path)!r})):\n    print('held', flush=True); time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_the_crawl_lock_holds_across_processes_and_dies_with_its_holder(tmp_path):
    lock = tmp_path / "crawl.lock"
    holder = _hold_lock(lock)
    try:
        with pytest.raises(LockBusy, match=rf"another crawl is running \(pid {holder.pid} since"), crawl_lock(lock):
            pass
    finally:
        holder.kill()  # SIGKILL: the kernel releases the lock
        holder.wait(timeout=10)
    with crawl_lock(lock, wait=5):
        pass


def test_a_manual_crawl_during_another_exits_3_with_a_clear_message(emulator, tmp_path):
    config = tmp_path / "orgs.yaml"
    config.write_text(config_text({"A": ["a-council"]}), encoding="utf-8")
    data = tmp_path / "data"
    holder = _hold_lock(data / "crawl.lock")
    try:
        result = CliRunner().invoke(
            cli, ["crawl", "--config", str(config), "--data-dir", str(data), "--api-url", emulator.url, "--no-index"]
        )
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert result.exit_code == 3
    assert "another crawl is running" in result.output
    assert emulator.stats.total_requests == 0


def test_a_stop_request_ends_the_wait_for_the_lock(emulator, crawl_settings):
    settings = crawl_settings({"A": ["a-council"]}, lock_wait=600.0)
    holder = _hold_lock(settings.data_dir.lock)
    stopper = Stopper()
    # Asked before the wait starts: the wait must end at its first check, not after lock_wait.
    stopper.request_stop()
    try:
        with pytest.raises(CrawlInterrupted, match="waiting for another crawl"):
            run_crawl(settings, None, stopper)
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert emulator.stats.total_requests == 0


def test_status_shows_runs_and_each_handles_last_result(emulator, crawl_settings):
    emulator.add_account("Good")
    emulator.add_repo("Good", FakeRepo(name="r", readme=b"x"))
    settings = crawl_settings({"Good Council": ["Good"], "Bad Council": ["missing-handle"]})
    run_crawl(settings)
    run_crawl(settings)

    result = CliRunner().invoke(cli, ["status", "--json", "--data-dir", str(settings.data_dir.root)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [r["status"] for r in report["runs"]] == ["partial", "partial"]
    first = report["runs"][-1]
    assert (first["repos_added"], first["handles_failed"]) == (1, 1)
    assert first["duration_seconds"] is not None and first["requests_charged"] > 0
    assert {"rate_limit_remaining", "repos_changed", "repos_removed", "started_at"} <= set(first)
    handles = {h["handle"]: h for h in report["handles"]}
    assert handles["Good"]["last_status"] == "ok" and handles["Good"]["repo_count"] == 1
    assert handles["missing-handle"]["last_status"] == "failed"
    assert "no GitHub organisation" in handles["missing-handle"]["last_error"]

    text = CliRunner().invoke(cli, ["status", "--data-dir", str(settings.data_dir.root)])
    assert text.exit_code == 0 and "missing-handle" in text.output and "partial" in text.output


def _schedule_process(config: Path, data: Path, api_url: str, every: str = "1m") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "councilcode",
            "schedule",
            "--every",
            every,
            "--config",
            str(config),
            "--data-dir",
            str(data),
            "--api-url",
            api_url,
            "--api",
            "rest",  # these tests count REST requests
        ],
        env={**os.environ, "GITHUB_TOKEN": "t", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _runs(data: Path) -> list[tuple[str, str]]:
    path = data / "catalogue.sqlite"
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT status, trigger FROM crawl_runs ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


@pytest.mark.slow
def test_schedule_every_minute_records_runs_and_stops_on_sigterm(tmp_path):
    with GitHubEmulator() as server:
        server.add_account("Sched")
        add_synthetic_repos(server, "Sched", 30, seed=1)
        config = tmp_path / "orgs.yaml"
        config.write_text(config_text({"Sched Council": ["Sched"]}), encoding="utf-8")
        data = tmp_path / "data"
        process = _schedule_process(config, data, server.url)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)  # type: ignore[arg-type]
        reader.start()
        try:
            # "next run at" is logged once the first run (crawl and index) is over and the wait begins.
            _wait_until(lambda: any("next run at" in line for line in lines))
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            reader.join(timeout=10)
        finally:
            process.kill()
    output = "".join(lines)
    assert process.returncode == 0, output
    assert "Traceback" not in output and "Stopped after 1 runs" in output
    assert "index: 30 added" in output
    status = CliRunner().invoke(cli, ["status", "--json", "--data-dir", str(data)])
    assert [r["status"] for r in json.loads(status.output)["runs"]] == ["ok"]
    assert (data / "index").exists()


@pytest.mark.slow
def test_sigterm_during_a_run_keeps_the_handles_already_stored(tmp_path):
    councils = {f"Council {i}": [f"Council{i}"] for i in range(8)}
    with GitHubEmulator(latency=0.02) as server:
        for i in range(8):
            server.add_account(f"Council{i}")
            add_synthetic_repos(server, f"Council{i}", 40, seed=i)
        config = tmp_path / "orgs.yaml"
        config.write_text(config_text(councils), encoding="utf-8")
        data = tmp_path / "data"
        process = _schedule_process(config, data, server.url)
        try:
            _wait_until(lambda: server.stats.total_requests > 60)
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
        finally:
            process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert _runs(data)[-1] == ("interrupted", "schedule")
    db = sqlite3.connect(data / "catalogue.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Catalogue(data / "catalogue.sqlite", readonly=True) as catalogue:
        per_handle = {s.handle: s.repo_count for s in catalogue.handle_states() if s.last_status == "ok"}
        stored = catalogue.repositories()
    # Whole handles only: every handle marked crawled has all 40 of its repositories, no more, no less.
    assert all(count == 40 for count in per_handle.values())
    assert len(stored) == 40 * len(per_handle)
