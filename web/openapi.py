"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json."""

from __future__ import annotations

from typing import Any

from councilcode.indexer import DEFAULT_LIMIT, MAX_LIMIT, MAX_REUSE
from councilcode.web.openapi_collaborate import COLLABORATE_PATHS, COLLABORATE_SCHEMAS
from councilcode.web.params import MAX_PAGE, MAX_QUERY_LENGTH


def _string_param(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def search_parameters(sorts: list[str]) -> list[dict[str, Any]]:
    """The query parameters /search, /api/search, /search.csv and /feeds/search.atom share."""
    return [
        _string_param("q", "Words to search for; empty matches everything.", maxLength=MAX_QUERY_LENGTH),
        _string_param("council", "Only this council (its full name, as in /api/councils)."),
        _string_param(
            "license",
            "Only this licence: an SPDX-style id such as MIT or OGL-UK-3.0, OGL for any Open Government "
            "Licence, or none for no licence.",
        ),
        _string_param("language", "Only this main programming language, e.g. C#."),
        _string_param("topic", "Only repositories with this GitHub topic."),
        _string_param("owner", "Only this GitHub owner (organisation or user)."),
        {
            "name": "archived",
            "in": "query",
            "required": False,
            "description": "true: only archived repositories; false: none.",
            "schema": {"type": "boolean"},
        },
        {
            "name": "fork",
            "in": "query",
            "required": False,
            "description": "true: only forks; false: no forks.",
            "schema": {"type": "boolean"},
        },
        _string_param("pushed_since", "Only repositories pushed to on or after this date.", format="date"),
        {
            "name": "has_publiccode",
            "in": "query",
            "required": False,
            "description": "true: only repositories with a publiccode.yml; false: only those without.",
            "schema": {"type": "boolean"},
        },
        {
            "name": "min_reuse",
            "in": "query",
            "required": False,
            "description": f"Only repositories passing at least this many of the {MAX_REUSE} reuse checks (/about).",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_REUSE},
        },
        _string_param(
            "sort", "Order of results (reuse: most reuse checks passed first).", enum=sorts, default="relevance"
        ),
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Page of results, from 1.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        },
    ]


LIMIT_PARAMETER: dict[str, Any] = {
    "name": "limit",
    "in": "query",
    "required": False,
    "description": "Results per page.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
}

_REPO_PATH_PARAMETERS = [
    {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
]

_ERROR_RESPONSE = {"$ref": "#/components/responses/Error"}

_NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "RFC 9457 problem details; `error` repeats them as the API gave them before.",
        "required": ["type", "title", "status", "detail", "error"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "error": {
                "type": "object",
                "required": ["status", "title", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "title": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "SearchHit": {
        "type": "object",
        "required": ["full_name", "council", "html_url"],
        "properties": {
            "full_name": {"type": "string", "examples": ["east-sussex-county-council/Escc.Gritting"]},
            "council": {"type": "string"},
            "description": _NULLABLE_STRING,
            "license": {**_NULLABLE_STRING, "description": "SPDX-style id, e.g. MIT or OGL-UK-3.0"},
            "language": _NULLABLE_STRING,
            "topics": {"type": "array", "items": {"type": "string"}},
            "stars": {"type": "integer"},
            "pushed_at": {**_NULLABLE_STRING, "format": "date-time"},
            "html_url": {"type": "string", "format": "uri"},
            "archived": {"type": "boolean"},
            "fork": {"type": "boolean"},
            "score": {"type": "number"},
            "snippet": _NULLABLE_STRING,
            "reuse_score": {"type": "integer", "minimum": 0, "maximum": MAX_REUSE},
        },
    },
    "SearchResponse": {
        "type": "object",
        "required": ["total", "results", "facets", "suggestion"],
        "properties": {
            "total": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
            "facets": {
                "type": "object",
                "description": "For each of council, license, language, topic, has_publiccode (true/false) and "
                "reuse_score (0 to 10): value -> number of matches, most frequent first. Repositories without a "
                "licence count under license 'none'.",
                "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
            "suggestion": {**_NULLABLE_STRING, "description": "A better spelling of q, if there is one"},
        },
    },
    "SimilarRepo": {
        "type": "object",
        "properties": {
            "full_name": {"type": "string"},
            "council": {"type": "string"},
            "description": _NULLABLE_STRING,
            "score": {"type": "number"},
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
        },
    },
    "Repository": {
        "type": "object",
        "description": "A repository as the catalogue holds it (GitHub's field names), plus similar work.",
        "required": ["full_name", "owner", "name", "council", "html_url"],
        "properties": {
            "id": {"type": "integer"},
            "full_name": {"type": "string"},
            "owner": {"type": "string"},
            "name": {"type": "string"},
            "council": {"type": "string"},
            "council_slug": {"type": "string"},
            "description": _NULLABLE_STRING,
            "homepage": _NULLABLE_STRING,
            "html_url": {"type": "string", "format": "uri"},
            "url": {"type": "string", "format": "uri"},
            "language": _NULLABLE_STRING,
            "topics": {"type": "array", "items": {"type": "string"}},
            "stars": {"type": "integer"},
            "forks": {"type": "integer"},
            "archived": {"type": "boolean"},
            "fork": {"type": "boolean"},
            "is_template": {"type": "boolean"},
            "default_branch": _NULLABLE_STRING,
            "created_at": _NULLABLE_STRING,
            "pushed_at": _NULLABLE_STRING,
            "updated_at": _NULLABLE_STRING,
            "readme": _NULLABLE_STRING,
            "readme_path": _NULLABLE_STRING,
            "license": _NULLABLE_STRING,
            "license_name": _NULLABLE_STRING,
            "license_description": {"type": "string"},
            "root_files": {"type": ["array", "null"], "items": {"type": "string"}, "description": "folders end in /"},
            "workflows": {"type": ["array", "null"], "items": {"type": "string"}},
            "latest_release": _NULLABLE_STRING,
            "latest_release_at": _NULLABLE_STRING,
            "open_issues": {"type": ["integer", "null"]},
            "publiccode": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/PublicCode"}]},
            "reuse": {"$ref": "#/components/schemas/Reuse"},
            "similar": {"type": "array", "items": {"$ref": "#/components/schemas/SimilarRepo"}},
        },
    },
    "PublicCode": {
        "type": "object",
        "description": "The repository's publiccode.yml, parsed; problems name what is wrong when valid is false.",
        "required": ["valid", "problems"],
        "properties": {
            "valid": {"type": "boolean"},
            "problems": {"type": "array", "items": {"type": "string"}},
            "name": _NULLABLE_STRING,
            "description": _NULLABLE_STRING,
            "software_type": _NULLABLE_STRING,
            "development_status": _NULLABLE_STRING,
            "maintenance_type": _NULLABLE_STRING,
            "contacts": {"type": "array", "items": {"type": "string"}},
            "categories": {"type": "array", "items": {"type": "string"}},
            "platforms": {"type": "array", "items": {"type": "string"}},
            "dependencies": {"type": "array", "items": {"type": "string"}},
            "version": _NULLABLE_STRING,
        },
    },
    "Reuse": {
        "type": "object",
        "description": "The reuse checklist: score is the number of checks passed, out of out_of.",
        "required": ["score", "out_of", "checks"],
        "properties": {
            "score": {"type": "integer"},
            "out_of": {"type": "integer"},
            "checks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label", "passed", "reason"],
                    "properties": {
                        "id": {"type": "string"},
                        "label": {"type": "string"},
                        "passed": {"type": "boolean"},
                        "reason": {"type": "string"},
                    },
                },
            },
        },
    },
    "HandleState": {
        "type": "object",
        "properties": {
            "handle": {"type": "string"},
            "account_type": _NULLABLE_STRING,
            "last_status": {**_NULLABLE_STRING, "description": "ok, failed or skipped"},
            "last_error": _NULLABLE_STRING,
            "last_crawled_at": _NULLABLE_STRING,
            "last_success_at": _NULLABLE_STRING,
            "repo_count": {"type": ["integer", "null"]},
        },
    },
    "Council": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "code": {**_NULLABLE_STRING, "description": "The council's code in the register of UK local authorities"},
            "slug": {"type": "string"},
            "type": _NULLABLE_STRING,
            "nation": _NULLABLE_STRING,
            "website": _NULLABLE_STRING,
            "github": {"type": "array", "items": {"type": "string"}},
            "repositories": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "handles": {"type": "array", "items": {"$ref": "#/components/schemas/HandleState"}},
        },
    },
    "CouncilCoverage": {
        "type": "object",
        "description": "A current UK council of the register, with the GitHub handles known for it",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "nation": {"type": "string"},
            "type": {"type": "string"},
            "type_name": {"type": "string", "description": "The register's type, e.g. 'Non-metropolitan district'"},
            "handles": {"type": "array", "items": {"type": "string"}},
            "repositories": {"type": ["integer", "null"], "description": "null when no handle has been crawled"},
        },
    },
}


def openapi_document(sorts: list[str], version: str) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    shared = search_parameters(sorts)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "councilcode API",
            "version": version,
            "description": "Search the open-source repositories of UK councils. All answers are JSON; errors "
            "are problem details (application/problem+json: type, title, status, detail), which also hold "
            'the older {"error": {"status", "title", "message"}}. Answers carry an ETag tied to the index and '
            "catalogue: send it back in If-None-Match for a 304 when nothing changed.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search repositories",
                    "description": "The same JSON as `councilcode search --json`.",
                    "parameters": [*shared, LIMIT_PARAMETER],
                    "responses": {
                        "200": {
                            "description": "One page of results with facet counts",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}
                            },
                        },
                        "400": _ERROR_RESPONSE,
                        "503": _ERROR_RESPONSE,
                    },
                }
            },
            "/api/repos/{owner}/{name}": {
                "get": {
                    "operationId": "getRepository",
                    "summary": "One repository, with its README and similar work at other councils",
                    "parameters": _REPO_PATH_PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "The repository",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Repository"}}},
                        },
                        "301": {"description": "The name is spelt with other capitals; follow Location"},
                        "404": _ERROR_RESPONSE,
                    },
                }
            },
            "/api/councils": {
                "get": {
                    "operationId": "listCouncils",
                    "summary": "Every council with its GitHub handles and their last crawl",
                    "responses": {
                        "200": {
                            "description": "The councils, by name",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "councils": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Council"},
                                            },
                                            "coverage": {
                                                "type": "object",
                                                "description": "Every current UK council (the same as "
                                                "`councilcode orgs coverage --json`)",
                                                "properties": {
                                                    "total": {"type": "integer"},
                                                    "publishing": {"type": "integer"},
                                                    "councils": {
                                                        "type": "array",
                                                        "items": {"$ref": "#/components/schemas/CouncilCoverage"},
                                                    },
                                                },
                                            },
                                            "register": {
                                                "type": "object",
                                                "description": "The register's source and licence, to credit",
                                                "properties": {
                                                    "credit": {"type": "string"},
                                                    "url": {"type": "string", "format": "uri"},
                                                    "licence": {"type": "string"},
                                                    "licence_url": {"type": "string", "format": "uri"},
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "503": _ERROR_RESPONSE,
                    },
                }
            },
            "/search.csv": {
                "get": {
                    "operationId": "searchCsv",
                    "summary": "Search results as CSV (all pages, up to a limit)",
                    "parameters": shared,
                    "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, "400": _ERROR_RESPONSE},
                }
            },
            "/feeds/search.atom": {
                "get": {
                    "operationId": "searchFeed",
                    "summary": "Atom feed of a saved search, newest pushes first",
                    "parameters": shared,
                    "responses": {
                        "200": {"description": "Atom 1.0", "content": {"application/atom+xml": {}}},
                        "400": _ERROR_RESPONSE,
                    },
                }
            },
            **COLLABORATE_PATHS,
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Is the service working, and how old is its index",
                    "responses": {"200": {"description": "Healthy"}, "503": {"description": "No catalogue or index"}},
                }
            },
        },
        "components": {"schemas": {**SCHEMAS, **COLLABORATE_SCHEMAS}, "responses": {"Error": _error_response()}},
    }


def _error_response() -> dict[str, Any]:
    return {
        "description": "A bad parameter (400), an unknown name (404), or no index yet (503)",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
