"""HTTP caching headers: an ETag tied to the index and catalogue, Cache-Control, and 304 on If-None-Match."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from councilcode.catalogue import Catalogue, HandleResult
from councilcode.indexer import update_index
from councilcode.web.app import create_app
from tests.factories import make_repository
from tests.web_fixtures import DORSET, build_data_dir, sample_repositories

CACHED = [
    "/",
    "/search?q=gritting",
    "/api/search?q=gritting&sort=name",
    "/search.csv?q=gritting",
    "/feeds/search.atom?q=gritting",
    "/repos/east-sussex-county-council/Escc.Gritting",
    "/api/repos/east-sussex-county-council/Escc.Gritting",
    "/councils",
    "/api/councils",
    "/about",
    "/openapi.json",
]


@pytest.mark.parametrize("path", CACHED)
def test_answers_carry_an_etag_and_a_matching_request_gets_304(client: TestClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "public, no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["content-security-policy"]  # a 304 still has the security headers
    assert client.get(path, headers={"If-None-Match": '"something-else", ' + etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_each_address_has_its_own_tag(client: TestClient) -> None:
    one = client.get("/api/search?q=gritting").headers["etag"]
    other = client.get("/api/search?q=maps").headers["etag"]
    assert one != other
    assert client.get("/api/search?q=maps", headers={"If-None-Match": one}).status_code == 200


def test_errors_and_health_are_not_tagged(client: TestClient) -> None:
    assert "etag" not in client.get("/api/search?pushed_since=").headers
    assert "etag" not in client.get("/api/repos/nobody/nothing").headers
    health = client.get("/healthz")
    assert "etag" not in health.headers and health.headers["cache-control"] == "no-store"


def test_the_tag_changes_when_the_index_or_catalogue_does(tmp_path: Path) -> None:
    data_dir = build_data_dir(tmp_path / "data")
    with TestClient(create_app(data_dir)) as client:
        etag = client.get("/api/search?q=lighthouse").headers["etag"]
        repo_etag = client.get("/repos/Dorset-Council-UK/GIFramework-Maps").headers["etag"]
        dorset = [
            *sample_repositories()["Dorset-Council-UK"],
            make_repository("Dorset-Council-UK/lighthouse", DORSET, description="Lighthouse keeping rota"),
        ]
        with Catalogue(data_dir.catalogue) as catalogue:
            catalogue.store_handle(HandleResult("Dorset-Council-UK", DORSET, "Organization", dorset), None)
        # The catalogue changed: pages made from it are no longer what the client holds.
        changed = client.get("/repos/Dorset-Council-UK/GIFramework-Maps", headers={"If-None-Match": repo_etag})
        assert changed.status_code == 200 and changed.headers["etag"] != repo_etag
        update_index(data_dir.catalogue, data_dir.index)
        fresh = client.get("/api/search?q=lighthouse", headers={"If-None-Match": etag})
        assert fresh.status_code == 200 and fresh.json()["total"] == 1
        assert fresh.headers["etag"] != etag
