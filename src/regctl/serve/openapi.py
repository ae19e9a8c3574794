"""The OpenAPI 3.1 document served at ``/openapi.json`` (a test keeps it equal to the routes)."""

from __future__ import annotations

from typing import Any

from regctl import __version__

_ERR = {"$ref": "#/components/schemas/Error"}


def _q(name: str, description: str, *, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _ok(description: str, schema: dict[str, Any], *more: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}}
    }
    for status in more:
        out[str(status)] = {
            "description": _STATUS[status],
            "content": {"application/json": {"schema": _ERR}},
        }
    return out


_STATUS = {
    400: "A query parameter has a bad value.",
    404: "Nothing matches: the body's error.code and error.missing say what is missing.",
    503: "No good manifest loaded yet.",
}
_PROVIDER = {
    "name": "provider",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Provider id, e.g. openai.",
}
_FLAG = ["true", "false"]
_LANG = _q("lang", "Language of display_name (else the Accept-Language header), e.g. fa.")


def openapi_document() -> dict[str, Any]:
    """The API description (JSON-serialisable)."""
    model = {"$ref": "#/components/schemas/Model"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "regctl serve",
            "version": __version__,
            "description": "Read-only view of a verified regctl lock manifest. Every /v1 "
            "answer carries the manifest digest (body and X-Regctl-Digest header). Key values "
            "are never served.",
        },
        "paths": {
            "/v1/providers/{provider}/active": {
                "get": {
                    "summary": "The provider's active model for a capability.",
                    "parameters": [
                        _PROVIDER,
                        _q("capability", "Capability (default chat)."),
                        _LANG,
                    ],
                    "responses": _ok(
                        "The active model.",
                        {
                            "type": "object",
                            "properties": {
                                "digest": {"type": "string"},
                                "provider": {"type": "string"},
                                "capability": {"type": "string"},
                                "model": model,
                            },
                        },
                        404,
                        503,
                    ),
                }
            },
            "/v1/providers/{provider}/models": {
                "get": {
                    "summary": "Every model of one provider.",
                    "parameters": [_PROVIDER, _LANG],
                    "responses": _ok(
                        "The provider and its models.",
                        {
                            "type": "object",
                            "properties": {
                                "digest": {"type": "string"},
                                "provider": {"type": "object"},
                                "models": {"type": "array", "items": model},
                            },
                        },
                        404,
                        503,
                    ),
                }
            },
            "/v1/models": {
                "get": {
                    "summary": "Models filtered by provider, capability and active state.",
                    "parameters": [
                        _q("provider", "Only this provider's models."),
                        _q("capability", "Only models with this capability."),
                        _q(
                            "active",
                            "true: only active (for capability when given); false: others.",
                            enum=_FLAG,
                        ),
                    ],
                    "responses": _ok(
                        "Models in key order.",
                        {
                            "type": "object",
                            "properties": {
                                "digest": {"type": "string"},
                                "models": {"type": "array", "items": model},
                            },
                        },
                        400,
                        404,
                        503,
                    ),
                }
            },
            "/v1/resolve": {
                "get": {
                    "summary": "What a call would use, by the client's resolution order.",
                    "parameters": [
                        _q("capability", "Capability (default chat)."),
                        _q("provider", "Prefer this provider."),
                        _q("model", "Pin a model (provider/model)."),
                        _q("template", "Resolve through a prompt template."),
                        _q(
                            "fallback",
                            "true: after provider also the default and fallbacks; false: the "
                            "default only; unset: provider alone, else default then fallbacks.",
                            enum=_FLAG,
                        ),
                        _LANG,
                    ],
                    "responses": _ok(
                        "The resolved model and merged call parameters.",
                        {
                            "type": "object",
                            "properties": {
                                "digest": {"type": "string"},
                                "resolved": {"type": "object"},
                            },
                        },
                        400,
                        404,
                        503,
                    ),
                }
            },
            "/v1/manifest": {
                "get": {
                    "summary": "The verified manifest (canonical bytes), with ETag.",
                    "parameters": [
                        {
                            "name": "If-None-Match",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The manifest.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "304": {"description": "Unchanged since the ETag given."},
                        "503": {
                            "description": _STATUS[503],
                            "content": {"application/json": {"schema": _ERR}},
                        },
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "The process is up.",
                    "responses": {"200": {"description": "Alive."}},
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Ready once a good manifest is serving.",
                    "responses": {
                        "200": {"description": "Ready (with digest)."},
                        "503": {"description": _STATUS[503]},
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics.",
                    "responses": {
                        "200": {
                            "description": "Text exposition format 0.0.4.",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document.",
                    "responses": {"200": {"description": "OpenAPI 3.1."}},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {
                                    "type": "string",
                                    "description": "e.g. unknown_provider, "
                                    "unknown_capability, no_active_model, not_ready, bad_request",
                                },
                                "message": {"type": "string"},
                                "missing": {
                                    "type": "object",
                                    "description": "The names asked for.",
                                },
                            },
                        }
                    },
                },
                "Model": {
                    "type": "object",
                    "description": "A model entry (docs/manifest.md), plus key (provider/id).",
                    "required": ["key", "provider", "id"],
                    "properties": {
                        "key": {"type": "string"},
                        "provider": {"type": "string"},
                        "id": {"type": "string"},
                        "upstream_id": {"type": "string"},
                        "display_name": {"type": "string"},
                        "capabilities": {"type": "array", "items": {"type": "string"}},
                        "active": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    }
