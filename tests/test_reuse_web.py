"""Issue 14 in the viewer, the API and the CLI: publiccode.yml and the reuse checklist on the
repository page and /api/repos, the reuse sort, the min_reuse and has_publiccode filters and facet."""

from __future__ import annotations

import json

from click.testing import CliRunner

from councilcode.cli import cli
from councilcode.settings import DataDir
from tests.web_fixtures import TestClient

DORSET = "/repos/Dorset-Council-UK/GIFramework-Maps"
BROKEN = "/repos/brighton-hove-gov-uk/hostile-readme"


def test_api_repository_gives_the_parsed_publiccode_and_the_checklist(client: TestClient) -> None:
    body = client.get("/api" + DORSET).json()
    publiccode = body["publiccode"]
    assert {k: publiccode[k] for k in ("valid", "problems", "name", "software_type", "development_status")} == {
        "valid": True,
        "problems": [],
        "name": "GIFramework Maps",
        "software_type": "standalone/web",
        "development_status": "stable",
    }
    assert publiccode["maintenance_type"] == "internal" and publiccode["platforms"] == ["web"]
    assert publiccode["categories"] == ["geographic-information-systems"]
    reuse = body["reuse"]
    assert (reuse["out_of"], len(reuse["checks"])) == (10, 10)
    assert reuse["score"] == sum(c["passed"] for c in reuse["checks"])
    assert all(set(c) == {"id", "label", "passed", "reason"} and c["reason"] for c in reuse["checks"])
    assert body["latest_release"] == "v2.3.0" and body["open_issues"] == 12


def test_api_repository_names_the_problems_of_a_broken_publiccode(client: TestClient) -> None:
    publiccode = client.get("/api" + BROKEN).json()["publiccode"]
    assert publiccode["valid"] is False
    assert "required key 'url' is missing" in publiccode["problems"]
    assert client.get("/api/repos/east-sussex-county-council/Escc.AZ").json()["publiccode"] is None


def test_the_page_shows_every_check_and_the_publiccode_problems(client: TestClient) -> None:
    page = client.get(DORSET)
    assert page.status_code == 200
    assert page.text.count('class="check-mark"') == 10
    assert "Passed:" in page.text and "Not passed:" in page.text
    assert "Web mapping framework for council GIS" in page.text and "GIS team" in page.text
    broken = client.get(BROKEN)
    assert broken.status_code == 200
    assert "publiccode.yml has problems" in broken.text
    assert "required key &#39;url&#39; is missing" in broken.text or "required key 'url' is missing" in broken.text
    assert "<script>alert(1)</script> budget" not in broken.text  # shown as text


def test_sort_filter_and_facet_in_the_api(client: TestClient) -> None:
    by_reuse = client.get("/api/search?sort=reuse&limit=100").json()
    scores = [hit["reuse_score"] for hit in by_reuse["results"]]
    assert scores == sorted(scores, reverse=True) and by_reuse["results"][0]["full_name"].endswith("GIFramework-Maps")
    assert by_reuse["facets"]["has_publiccode"] == {"false": by_reuse["total"] - 2, "true": 2}
    top = scores[0]
    filtered = client.get(f"/api/search?min_reuse={top}").json()
    assert filtered["total"] == scores.count(top)
    assert {h["full_name"] for h in client.get("/api/search?has_publiccode=true").json()["results"]} == {
        "Dorset-Council-UK/GIFramework-Maps",
        "brighton-hove-gov-uk/hostile-readme",
    }
    for bad in ("min_reuse=11", "min_reuse=-1", "min_reuse=lots", "has_publiccode=maybe"):
        response = client.get(f"/api/search?{bad}")
        assert response.status_code == 400, bad
        assert "min_reuse" in response.text or "has_publiccode" in response.text


def test_sort_filter_and_facet_in_the_viewer(client: TestClient) -> None:
    page = client.get("/search?q=")
    assert '<option value="reuse"' in page.text and "Most reuse checks passed" in page.text
    assert "Has publiccode.yml" in page.text and "Reuse checks passed" in page.text
    assert "min_reuse=" in page.text and "has_publiccode=true" in page.text
    chosen = client.get("/search?has_publiccode=true&min_reuse=1&sort=reuse")
    assert chosen.status_code == 200
    assert "Remove filter: Has publiccode.yml: yes" in chosen.text
    assert "Remove filter: Reuse checks passed: at least 1 of 10" in chosen.text


def test_sort_filter_and_facet_in_the_cli(web_data_dir: DataDir) -> None:
    args = ["search", "--data-dir", str(web_data_dir.root), "--json", "--sort", "reuse", "--limit", "100"]
    everything = json.loads(CliRunner().invoke(cli, args).output)
    assert everything["facets"]["has_publiccode"]["true"] == 2
    first = everything["results"][0]
    assert first["full_name"] == "Dorset-Council-UK/GIFramework-Maps"
    result = CliRunner().invoke(cli, [*args, "--has-publiccode", "--min-reuse", str(first["reuse_score"])])
    assert [h["full_name"] for h in json.loads(result.output)["results"]] == [first["full_name"]]
    refused = CliRunner().invoke(cli, [*args, "--min-reuse", "11"])
    assert refused.exit_code == 2 and "--min-reuse" in refused.output


def test_openapi_and_about_describe_them(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"has_publiccode", "min_reuse"} <= names
    assert "reuse_score" in spec["components"]["schemas"]["SearchHit"]["properties"]
    assert {"publiccode", "reuse"} <= set(spec["components"]["schemas"]["Repository"]["properties"])
    about = client.get("/about").text
    assert 'id="reuse-checks"' in about and "Contribution guide" in about and "number of checks passed" in about
