"""`councilcode orgs list|check|add`, against a small stub of GitHub's API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result

from councilcode.cli.orgs import orgs
from councilcode.config import load_councils
from tests.github_emulator import FakeRepo, GitHubEmulator, app_key_pair
from tests.helpers import closed_port_url

REAL_CONFIG = Path(__file__).resolve().parents[1] / "config" / "orgs.yaml"

SMALL = """\
# Two councils.
councils:
  - name: Alpha Council
    github: [AlphaOrg]
    type: unitary
    nation: England

  - name: Beta Council
    github: [beta-one, beta-user]
    nation: Wales
"""


# --- a stub GitHub API ----------------------------------------------------------------------------


@dataclass
class StubGitHub:
    """Answers /orgs/{h}, /users/{h} and their /repos, from `accounts`; records every request."""

    accounts: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # lower login -> (login, type, repos)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    rate_limited: bool = False
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    url: str = ""

    def add(self, login: str, kind: str = "Organization", repos: int = 1) -> None:
        self.accounts[login.lower()] = (login, kind, repos)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        if self.rate_limited:
            return 403, {"message": "API rate limit exceeded"}
        parts = path.strip("/").split("/")
        if len(parts) in (2, 3) and parts[0] in ("orgs", "users"):
            account = self.accounts.get(parts[1].lower())
            if account is None or (parts[0] == "orgs" and account[1] != "Organization"):
                return 404, {"message": "Not Found"}
            login, kind, repos = account
            if len(parts) == 2:
                return 200, {"login": login, "type": kind}
            if parts[2] == "repos":
                per_page = int(query.get("per_page", ["30"])[0])
                return 200, [{"name": f"repo{i}", "owner": {"login": login}} for i in range(min(repos, per_page))]
        return 404, {"message": "Not Found"}


@pytest.fixture
def github() -> Iterator[StubGitHub]:
    stub = StubGitHub()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                stub.in_flight += 1
                stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                stub.requests.append((self.path, dict(self.headers)))
            try:
                time.sleep(stub.delay)
                parts = urlsplit(self.path)
                status, body = stub.answer(parts.path, parse_qs(parts.query))
            finally:
                # Counted out before answering: once the client has the answer it may send the next one.
                with lock:
                    stub.in_flight -= 1
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if stub.rate_limited:
                # As GitHub does: nothing left until the reset, an hour away.
                self.send_header("X-RateLimit-Remaining", "0")
                self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "orgs.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(orgs, list(args), env={"COLUMNS": "200", **(env or {})})


# --- orgs list ------------------------------------------------------------------------------------


def test_list_prints_a_table(config):
    result = run("list", "--config", str(config))
    assert result.exit_code == 0, result.output
    for text in ("Alpha Council", "AlphaOrg", "unitary", "England", "Beta Council", "beta-one, beta-user", "Wales"):
        assert text in result.stdout
    assert "2 councils, 3 GitHub handles" in result.stdout


def test_list_does_not_read_names_as_markup(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_text("councils:\n  - name: '[bold]Foo[/bold] Council'\n    github: [foo]\n")
    result = run("list", "--config", str(path))
    assert result.exit_code == 0
    assert "[bold]Foo[/bold] Council" in result.stdout


def test_list_json(config):
    result = run("list", "--config", str(config), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "name": "Alpha Council",
            "github": ["AlphaOrg"],
            "type": "unitary",
            "nation": "England",
            "website": None,
            "line": 3,
        },
        {
            "name": "Beta Council",
            "github": ["beta-one", "beta-user"],
            "type": None,
            "nation": "Wales",
            "website": None,
            "line": 8,
        },
    ]


def test_list_default_config_is_config_orgs_yaml(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "orgs.yaml").write_text(SMALL)
    monkeypatch.chdir(tmp_path)
    result = run("list", "--json")
    assert result.exit_code == 0
    assert [c["name"] for c in json.loads(result.stdout)] == ["Alpha Council", "Beta Council"]


def test_list_the_real_config():
    result = run("list", "--config", str(REAL_CONFIG), "--json")
    assert result.exit_code == 0
    names = [c["name"] for c in json.loads(result.stdout)]
    assert "Bristol City Council" in names and "The Highland Council" in names


def test_list_with_a_broken_config(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_text("councils:\n  - name: Foo\n")
    result = run("list", "--config", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: council 'Foo' has no 'github' handles" in result.stderr
    assert result.stdout == ""


# --- orgs check -----------------------------------------------------------------------------------


def test_check_ok(config):
    result = run("check", "--config", str(config))
    assert result.exit_code == 0
    assert result.stdout == f"{config}: 2 councils, 3 handles, no problems\n"


def test_check_the_real_config():
    result = run("check", "--config", str(REAL_CONFIG))
    assert result.exit_code == 0, result.stderr
    councils = load_councils(REAL_CONFIG)
    handles = sum(len(c.github) for c in councils)
    assert result.stdout.strip().endswith(f": {len(councils)} councils, {handles} handles, no problems")


def test_check_reports_every_problem_with_file_and_line(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_text(
        "councils:\n"
        "  - name: Foo Council\n"
        "    github: [foo]\n"
        "    webiste: https://foo.gov.uk\n"
        "  - name: Bar\n"
        "    github: [FOO]\n"
        "    type: London borough\n"
    )
    result = run("check", "--config", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{path}:4: unknown key 'webiste' in council 'Foo Council' "
        "(expected one of: name, code, github, type, nation, website)"
    )
    assert lines[1].startswith(f"{path}:6: duplicate GitHub handle 'FOO' in council 'Bar' (already listed at line 3")
    assert lines[2].startswith(f"{path}:7: unknown type 'London borough' in council 'Bar'")
    assert lines[2].endswith("did you mean 'london-borough'?")
    assert lines[3] == "3 problems found"
    assert result.stdout == ""


def test_check_missing_file(tmp_path):
    result = run("check", "--config", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.yaml'}:1: file not found" in result.stderr


def test_check_online_all_found(config, github):
    github.add("AlphaOrg")
    github.add("beta-one")
    github.add("beta-user", kind="User")  # not an organisation: found through /users
    result = run("check", "--config", str(config), "--online", "--api-url", github.url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{config}: 2 councils, 3 handles, no problems (all found on GitHub)\n"
    paths = {path for path, _ in github.requests}
    assert {"/orgs/AlphaOrg", "/orgs/beta-one", "/orgs/beta-user", "/users/beta-user"} <= paths


def test_check_online_reports_missing_handles_with_their_council_line(config, github):
    github.add("alphaorg")
    result = run("check", "--config", str(config), "--online", "--api-url", github.url)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{config}:8: GitHub handle 'beta-one' of council 'Beta Council' does not exist "
        "(no organisation or user of that name)",
        f"{config}:8: GitHub handle 'beta-user' of council 'Beta Council' does not exist "
        "(no organisation or user of that name)",
        "2 problems found",
    ]


def test_check_online_sends_the_token_but_never_prints_it(config, github):
    result = run(
        "check", "--config", str(config), "--online", "--api-url", github.url, env={"GITHUB_TOKEN": "s3cret-t0ken"}
    )
    assert result.exit_code == 1
    assert all(headers.get("Authorization") == "Bearer s3cret-t0ken" for _, headers in github.requests)
    assert "s3cret" not in result.output + result.stderr


def test_check_online_limits_concurrency(tmp_path, github):
    path = tmp_path / "orgs.yaml"
    path.write_text("councils:\n" + "".join(f"  - name: C{i}\n    github: [org{i}]\n" for i in range(30)))
    for i in range(30):
        github.add(f"org{i}")
    github.delay = 0.02
    result = run("check", "--config", str(path), "--online", "--api-url", github.url)
    assert result.exit_code == 0, result.stderr
    assert len(github.requests) == 30
    assert 1 <= github.max_in_flight <= 8


def test_check_online_rate_limited(config, github):
    github.rate_limited = True
    result = run("check", "--config", str(config), "--online", "--api-url", github.url)
    assert result.exit_code == 1
    assert f"{config}:3: could not check GitHub handle 'AlphaOrg': GitHub's API rate limit is used up" in result.stderr


def test_check_online_unreachable_api(config):
    result = run("check", "--config", str(config), "--online", "--api-url", closed_port_url())
    assert result.exit_code == 1
    assert "could not check GitHub handle 'AlphaOrg': cannot reach" in result.stderr


# --- orgs add -------------------------------------------------------------------------------------


def test_add_a_new_council(config, github):
    github.add("Gamma-Org", repos=3)
    before = config.read_text()
    result = run(
        "add",
        "gamma-org",  # typed in lower case: GitHub's own spelling is stored
        "--name",
        "Gamma Council",
        "--type",
        "district",
        "--nation",
        "scotland",
        "--website",
        "https://www.gamma.gov.uk",
        "--config",
        str(config),
        "--api-url",
        github.url,
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout == f"{config}:12: added council 'Gamma Council' with GitHub organisation 'Gamma-Org'\n"
    after = config.read_text()
    assert after == before + (
        "\n  - name: Gamma Council\n    github: [Gamma-Org]\n    type: district\n"
        "    nation: Scotland\n    website: https://www.gamma.gov.uk\n"
    )
    assert ("/orgs/Gamma-Org/repos?per_page=1") in [path for path, _ in github.requests]


def test_add_a_user_account_to_an_existing_council(config, github):
    github.add("beta-three", kind="User")
    result = run("add", "beta-three", "--name", "Beta Council", "--config", str(config), "--api-url", github.url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{config}:8: added GitHub user 'beta-three' to council 'Beta Council'\n"
    assert "    github: [beta-one, beta-user, beta-three]\n" in config.read_text()
    assert "/users/beta-three/repos?per_page=1" in [path for path, _ in github.requests]


def test_add_refuses_a_duplicate_before_asking_github(config, github):
    before = config.read_bytes()
    result = run("add", "BETA-USER", "--name", "Other Council", "--config", str(config), "--api-url", github.url)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: GitHub handle 'BETA-USER' is already listed for council 'Beta Council' at {config}:8\n"
    )
    assert github.requests == []
    assert config.read_bytes() == before


def test_add_refuses_an_unknown_handle(config, github):
    before = config.read_bytes()
    result = run("add", "nobody-here", "--name", "Nobody", "--config", str(config), "--api-url", github.url)
    assert result.exit_code == 1
    assert "there is no GitHub organisation or user called 'nobody-here'" in result.stderr
    assert config.read_bytes() == before


def test_add_refuses_an_account_without_public_repositories(config, github):
    github.add("EmptyOrg", repos=0)
    before = config.read_bytes()
    result = run("add", "EmptyOrg", "--name", "Empty Council", "--config", str(config), "--api-url", github.url)
    assert result.exit_code == 1
    assert "GitHub organisation 'EmptyOrg' has no public repositories" in result.stderr
    assert config.read_bytes() == before


def test_add_when_github_cannot_be_reached(config):
    result = run("add", "SomeOrg", "--name", "Some Council", "--config", str(config), "--api-url", closed_port_url())
    assert result.exit_code == 1
    assert "could not check 'SomeOrg' on GitHub" in result.stderr
    assert "--offline" in result.stderr


def test_add_offline_does_not_ask_github(config, github):
    result = run(
        "add", "OfflineOrg", "--name", "Offline Council", "--offline", "--config", str(config), "--api-url", github.url
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{config}:12: added council 'Offline Council' with GitHub handle 'OfflineOrg'\n"
    assert github.requests == []
    assert load_councils(config)[-1].github == ("OfflineOrg",)


def test_add_as_a_github_app_installation(config, tmp_path):
    private, public = app_key_pair()
    key_file = tmp_path / "app.pem"
    key_file.write_text(private, encoding="utf-8")
    # No personal token is accepted and anonymous requests are used up: only the App's token works.
    with GitHubEmulator(tokens=set(), unauthenticated_limit=0) as server:
        server.add_app(123, public, installation_id=456)
        server.add_account("AppCouncil")
        server.add_repo("AppCouncil", FakeRepo(name="bins"))
        args = ["add", "appcouncil", "--name", "App Council", "--config", str(config), "--api-url", server.url]

        anonymous = run(*args)
        assert anonymous.exit_code == 1
        assert "GitHub's API rate limit is used up" in anonymous.stderr

        app = ["--app-id", "123", "--app-private-key", str(key_file), "--installation-id", "456"]
        result = run(*args, *app)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"{config}:12: added council 'App Council' with GitHub organisation 'AppCouncil'\n"
        assert ("POST", "/app/installations/456/access_tokens", 201) in server.stats.requests


def test_add_with_a_wrong_app_installation_says_so(config, tmp_path):
    private, public = app_key_pair()
    key_file = tmp_path / "app.pem"
    key_file.write_text(private, encoding="utf-8")
    before = config.read_bytes()
    with GitHubEmulator(tokens=set()) as server:
        server.add_app(123, public, installation_id=456)
        server.add_account("AppCouncil")
        app = ["--app-id", "123", "--app-private-key", str(key_file), "--installation-id", "999"]
        result = run("add", "AppCouncil", "--name", "App", "--config", str(config), "--api-url", server.url, *app)
    assert result.exit_code == 1
    assert "could not check 'AppCouncil' on GitHub: GitHub App 123, installation 999: no installation token" in (
        result.stderr
    )
    assert "--offline" in result.stderr and isinstance(result.exception, SystemExit)  # a message, no traceback
    assert config.read_bytes() == before


def test_app_options_must_come_together(config):
    result = run("add", "x", "--name", "X", "--app-id", "1", "--config", str(config))
    assert result.exit_code == 2
    assert "--installation-id" in result.stderr


def test_add_when_the_file_cannot_be_written(config, monkeypatch):
    before = config.read_bytes()

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = run("add", "NewOrg", "--name", "New Council", "--offline", "--config", str(config))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {config}: No space left on device\n"  # a message, no traceback
    assert config.read_bytes() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["orgs.yaml"]  # no temporary file left


def test_add_refuses_conflicting_details(config):
    before = config.read_bytes()
    result = run(
        "add", "alpha-two", "--name", "Alpha Council", "--nation", "Wales", "--offline", "--config", str(config)
    )
    assert result.exit_code == 1
    assert "nation 'Wales' (the file has 'England')" in result.stderr
    assert config.read_bytes() == before


def test_add_to_a_broken_config(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_text("councils:\n  - name: Foo\n    github: [foo]\n    colour: red\n")
    result = run("add", "bar", "--name", "Bar", "--offline", "--config", str(path))
    assert result.exit_code == 1
    assert f"{path}:4: unknown key 'colour'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad-", "--name", "X"], "not a valid GitHub handle"),
        (["under_score", "--name", "X"], "not a valid GitHub handle"),
        (["ok", "--name", "  "], "must not be empty"),
        (["ok"], "give the council's --name, or its register --code"),
        (["ok", "--name", "X", "--type", "London boro"], "did you mean 'london-borough'?"),
        (["ok", "--name", "X", "--nation", "Narnia"], "allowed: England, Scotland, Wales, Northern Ireland"),
        (["ok", "--name", "X", "--website", "www.x.gov.uk"], "is not an http(s) URL"),
        (["ok", "--name", "X", "--bogus"], "No such option"),
        (["ok", "--name", "X", "--api-url", "http://[::1"], "is not an http(s) URL"),
        (["ok", "--name", "X", "--api-url", "api.github.com"], "is not an http(s) URL"),
    ],
)
def test_add_usage_errors_exit_2(config, args, message):
    before = config.read_bytes()
    result = run("add", *args, "--offline", "--config", str(config))
    assert result.exit_code == 2
    assert message in result.stderr
    assert config.read_bytes() == before


def test_add_forgives_case_and_spaces_in_type_and_nation(config):
    result = run(
        "add", "ok", "--name", "X", "--type", "Metropolitan Borough", "--nation", "northern ireland", "--offline",
        "--config", str(config),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    council = load_councils(config)[-1]
    assert (council.type, council.nation) == ("metropolitan-borough", "Northern Ireland")
