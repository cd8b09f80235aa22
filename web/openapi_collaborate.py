"""The OpenAPI description of /api/collaborate, merged into /openapi.json by `web.openapi`."""

from __future__ import annotations

from typing import Any

_NULLABLE_STRING = {"type": ["string", "null"]}

_GROUP_REPOSITORY = {
    "type": "object",
    "required": ["full_name", "council", "html_url", "fork"],
    "properties": {
        "full_name": {"type": "string", "examples": ["LBCamden/lbcamden-frontend"]},
        "council": {"type": "string"},
        "license": {**_NULLABLE_STRING, "description": "SPDX-style id, e.g. MIT or OGL-UK-3.0"},
        "pushed_at": {**_NULLABLE_STRING, "format": "date-time"},
        "html_url": {"type": "string", "format": "uri"},
        "fork": {"type": "boolean"},
        "url": {"type": "string", "format": "uri", "description": "The repository's page on this site"},
    },
}

COLLABORATE_SCHEMAS: dict[str, Any] = {
    "GroupRepository": _GROUP_REPOSITORY,
    "GroupReuse": {
        **_GROUP_REPOSITORY,
        "properties": {
            **_GROUP_REPOSITORY["properties"],
            "of": {**_NULLABLE_STRING, "description": "full_name of the group member this fork copies"},
        },
    },
    "CollaborationGroup": {
        "type": "object",
        "required": ["id", "label", "councils", "repositories", "reuse"],
        "properties": {
            "id": {
                "type": "string",
                "description": "Kept when the group is worked out again and still holds most of its members, "
                "so links survive a member joining, leaving or changing",
            },
            "label": {"type": "string", "examples": ["Design systems and component libraries"]},
            "terms": {"type": "array", "items": {"type": "string"}, "description": "Most distinctive terms first"},
            "councils": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Councils that built one (forks not counted), by name; always two or more",
            },
            "repositories": {"type": "array", "items": {"$ref": "#/components/schemas/GroupRepository"}},
            "reuse": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/GroupReuse"},
                "description": "Forks of another member: reuse, not duplicated effort",
            },
            "cohesion": {"type": "number", "description": "Mean cosine similarity between members, 0 to 1"},
            "search_query": {"type": "string", "description": "A query for /api/search that finds the members"},
            "shared": {
                "type": "array",
                "description": "Why the repositories were grouped: words they share, and at how many of the councils",
                "items": {
                    "type": "object",
                    "required": ["words", "councils"],
                    "properties": {"words": {"type": "string"}, "councils": {"type": "integer"}},
                },
            },
            "repositories_total": {"type": "integer", "description": "How many repositories the group holds"},
            "reuse_total": {"type": "integer", "description": "How many forks the group holds"},
            "url": {"type": "string", "format": "uri"},
            "search_url": {"type": "string", "format": "uri"},
        },
    },
    "CollaborationGroups": {
        "type": "object",
        "required": ["groups", "generated_at"],
        "properties": {
            "generated_at": {"type": "string", "format": "date-time"},
            "repositories_compared": {"type": "integer"},
            "total": {"type": "integer"},
            "groups": {"type": "array", "items": {"$ref": "#/components/schemas/CollaborationGroup"}},
        },
    },
}

COLLABORATE_PATHS: dict[str, Any] = {
    "/api/collaborate": {
        "get": {
            "operationId": "listCollaborationGroups",
            "summary": "Groups of similar repositories built by two or more councils",
            "description": "Worked out from names, descriptions, topics and READMEs each time the index is "
            "updated; groups spanning the most councils come first. `councilcode collaborate --json` prints the "
            "same groups with every repository and fork, without what this API adds: each group's `url`, "
            "`search_url`, `repositories_total` and `reuse_total`, each repository's and fork's `url`, and the "
            "`limit` parameter.",
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "List at most this many repositories (and forks) of each group; "
                    "`repositories_total` and `reuse_total` say how many there are. Without it, every one.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                }
            ],
            "responses": {
                "200": {
                    "description": "Every group",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CollaborationGroups"}}},
                },
                "400": {"$ref": "#/components/responses/Error"},
                "503": {"$ref": "#/components/responses/Error"},
            },
        }
    }
}
