"""`councilcode serve`, and a running app picking up a new catalogue and index without a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.applications import Starlette

from councilcode.catalogue import Catalogue, HandleResult
from councilcode.cli.serve import serve_command
from councilcode.indexer.build import update_index
from councilcode.settings import DataDir
from councilcode.web.app import app_from_environment, create_app
from tests.factories import make_repository
from tests.web_fixtures import DORSET, TestClient, build_data_dir, sample_repositories


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    return calls


def test_serve_runs_the_app_on_the_given_address(tmp_path: Path, uvicorn_calls: list) -> None:
    result = CliRunner().invoke(serve_command, ["--data-dir", str(tmp_path), "--host", "127.0.0.1", "--port", "8123"])
    assert result.exit_code == 0, result.output
    app, options = uvicorn_calls[0]
    assert isinstance(app, Starlette)
    assert app.state.web.data_dir == DataDir(tmp_path)
    assert options["host"] == "127.0.0.1" and options["port"] == 8123
    assert "no catalogue" in result.output  # warns, but serves: the data may come later


def test_serve_defaults(uvicorn_calls: list, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COUNCILCODE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(serve_command, [])
    assert result.exit_code == 0, result.output
    _, options = uvicorn_calls[0]
    assert options["host"] == "127.0.0.1" and options["port"] == 8000


def test_serve_with_workers_uses_the_factory(
    tmp_path: Path, uvicorn_calls: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COUNCILCODE_DATA_DIR", raising=False)
    result = CliRunner().invoke(serve_command, ["--data-dir", str(tmp_path), "--workers", "2"])
    assert result.exit_code == 0, result.output
    app, options = uvicorn_calls[0]
    assert app == "councilcode.web.app:app_from_environment"
    assert options["factory"] is True and options["workers"] == 2
    assert app_from_environment().state.web.data_dir == DataDir(tmp_path.resolve())


def test_serve_refuses_a_bad_port(tmp_path: Path, uvicorn_calls: list) -> None:
    result = CliRunner().invoke(serve_command, ["--data-dir", str(tmp_path), "--port", "99999"])
    assert result.exit_code == 2
    assert uvicorn_calls == []


def test_rebuilt_index_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    with TestClient(create_app(data_dir)) as client:
        assert client.get("/api/search?q=lighthouse").json()["total"] == 0
        dorset = [
            *sample_repositories()["Dorset-Council-UK"],
            make_repository(
                "Dorset-Council-UK/lighthouse",
                DORSET,
                id=50,
                description="Lighthouse keeping rota",
                license="MIT",
                pushed_at="2024-01-01T00:00:00Z",
                created_at="2015-01-01T00:00:00Z",
                default_branch="main",
                updated_at="2024-01-01T00:00:00Z",
            ),
        ]
        with Catalogue(data_dir.catalogue) as catalogue:
            catalogue.store_handle(HandleResult("Dorset-Council-UK", DORSET, "Organization", dorset), None)
        update_index(data_dir.catalogue, data_dir.index, rebuild=True)
        body = client.get("/api/search?q=lighthouse").json()
        assert [hit["full_name"] for hit in body["results"]] == ["Dorset-Council-UK/lighthouse"]
        page = client.get("/repos/Dorset-Council-UK/lighthouse")
        assert page.status_code == 200 and "Lighthouse keeping rota" in page.text


def test_index_built_after_start_is_used(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    index_dir = data_dir.index
    moved = index_dir.with_name("index-aside")
    index_dir.rename(moved)
    with TestClient(create_app(data_dir), raise_server_exceptions=False) as client:
        assert client.get("/search?q=gritting").status_code == 503
        assert client.get("/healthz").status_code == 503
        moved.rename(index_dir)
        assert client.get("/search?q=gritting").status_code == 200
        assert client.get("/healthz").json()["ok"] is True
