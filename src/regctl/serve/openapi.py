"""The OpenAPI 3.1 document served at ``/openapi.json`` (a test keeps it equal to the routes).

It is part of the contract (docs/resolution.md): Schemathesis checks a real ``regctl
serve`` against it in the test suite, so every parameter says exactly what is accepted
(booleans are ``true``/``false``, needs and params have their grammar) and every
answer its status, body and headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from regctl import __version__

_ERR = {"$ref": "#/components/schemas/Error"}
_LANGUAGE_HEADER = {
    "Content-Language": {
        "description": "The language of messages and names in this answer (en, fa).",
        "schema": {"type": "string"},
    }
}
_NUMERIC_NEEDS = ("context", "max_output", "max_input_per_mtok", "max_output_per_mtok")
_FLAG_NEEDS = ("system_prompt", "streaming", "tools", "json_mode")


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _q(name: str, description: str, *, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return _param(name, description, schema)


def _flag(name: str, description: str) -> dict[str, Any]:
    return _param(name, description, {"type": "boolean"})


def _list(name: str, description: str, pattern: str) -> dict[str, Any]:
    out = _param(
        name, description, {"type": "array", "items": {"type": "string", "pattern": pattern}}
    )
    out.update(style="form", explode=True)
    return out


def _answers(description: str, schema: dict[str, Any], *more: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "200": {
            "description": description,
            "headers": _LANGUAGE_HEADER,
            "content": {"application/json": {"schema": schema}},
        }
    }
    for status in more:
        out[str(status)] = {
            "description": _STATUS[status],
            "content": {"application/json": {"schema": _ERR}},
        }
        if status != 503:
            out[str(status)]["headers"] = _LANGUAGE_HEADER
    return out


_STATUS = {
    400: "A query parameter has a bad value (error.code bad_request).",
    404: "Nothing matches: error.code says what (no_active_model, unknown_provider, ...).",
    503: "No good manifest loaded yet.",
}

_NULLABLE_TEXT: dict[str, Any] = {"type": ["string", "null"]}
# /readyz: the load error's stable code and its message in ?lang= / Accept-Language.
_READY: dict[str, Any] = {
    "type": "object",
    "required": ["ready", "digest", "last_error", "last_error_code", "reload_failures"],
    "properties": {
        "ready": {"const": True},
        "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
        "last_error": _NULLABLE_TEXT,
        "last_error_code": _NULLABLE_TEXT,
        "reload_failures": {"type": "integer", "minimum": 0},
    },
}
_NOT_READY: dict[str, Any] = {
    "type": "object",
    "required": ["ready", "code", "error"],
    "properties": {
        "ready": {"const": False},
        "code": _NULLABLE_TEXT,
        "error": {"type": "string"},
    },
}
_PROVIDER = {
    "name": "provider",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Provider id, e.g. openai.",
}
_LANG = _q("lang", "Language of messages and names (else the Accept-Language header), e.g. fa.")
_ACTIVE = _flag("active", "true: only active (for capability when given); false: the others.")


def need_pattern(capabilities: Iterable[str]) -> str:
    """The grammar of ``?need=``: a numeric need with a number, or a flag (a capability
    name or a ``supports`` flag) alone or with ``=true``/``=false``."""
    flags = sorted({*_FLAG_NEEDS, *capabilities})
    numeric = "|".join(_NUMERIC_NEEDS)
    names = "|".join(re.escape(f) for f in flags)
    return f"^(?:(?:{numeric})=[0-9]{{1,15}}(?:\\.[0-9]{{1,15}})?|(?:{names})(?:=(?:true|false))?)$"


#: ``?param=NAME=VALUE``: the value is JSON when it parses as JSON, else text.
PARAM_PATTERN = "^[A-Za-z_][A-Za-z0-9_.-]{0,63}=[\\s\\S]*$"


def _question(capabilities: Iterable[str]) -> list[dict[str, Any]]:
    """The inputs of docs/resolution.md, as query parameters."""
    return [
        _q("capability", "Capability (default chat)."),
        _q("provider", "That provider only, unless fallback=true."),
        _q("model", "Pin a model (provider/model, or a model id with provider)."),
        _q("template", "Resolve through a prompt template."),
        _list("param", "A call parameter NAME=VALUE (repeat).", PARAM_PATTERN),
        _flag(
            "fallback",
            "true: after provider (or model) also the default and fallbacks; false: the "
            "default only; unset: provider alone, else default then fallbacks.",
        ),
        _list(
            "need",
            "A requirement (repeat): context=N, max_output=N, max_input_per_mtok=USD, "
            "max_output_per_mtok=USD, or a capability or supports flag [=true|false].",
            need_pattern(capabilities),
        ),
        _q("prefer", "Rank the candidates.", enum=["cheapest", "newest", "largest-context"]),
        _q(
            "scope",
            "order (default): the resolution order; all: every enabled provider.",
            enum=["order", "all"],
        ),
        _flag("strict", "Refuse what would come with a warning."),
        _param(
            "today",
            "The day deprecation dates are compared with (default: today, UTC).",
            {"type": "string", "format": "date"},
        ),
        _LANG,
    ]


def openapi_document(capabilities: Iterable[str] = ()) -> dict[str, Any]:
    """The API description (JSON-serialisable); ``capabilities``: the serving manifest's
    vocabulary, which the ``need`` grammar names."""
    caps = sorted(capabilities)
    model = {"$ref": "#/components/schemas/Model"}
    resolved = {"$ref": "#/components/schemas/Resolved"}
    listing = {
        "type": "object",
        "required": ["digest", "models"],
        "properties": {"digest": {"type": "string"}, "models": {"type": "array", "items": model}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "regctl serve",
            "version": __version__,
            "description": "Read-only view of a verified regctl lock manifest. Every /v1 "
            "answer carries the manifest digest (body and X-Regctl-Digest header). Key values "
            "are never served. Resolution follows docs/resolution.md.",
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
                    "responses": _answers(
                        "The active model.",
                        {
                            "type": "object",
                            "required": ["digest", "provider", "capability", "model"],
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
                    "summary": "One provider's models, filtered like /v1/models.",
                    "parameters": [
                        _PROVIDER,
                        _q("capability", "Only models with this capability."),
                        _ACTIVE,
                        _LANG,
                    ],
                    "responses": _answers(
                        "The provider (never its credentials) and its models.",
                        {
                            "type": "object",
                            "required": ["digest", "provider", "models"],
                            "properties": {
                                "digest": {"type": "string"},
                                "provider": {"$ref": "#/components/schemas/ProviderSummary"},
                                "models": {"type": "array", "items": model},
                            },
                        },
                        400,
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
                        _ACTIVE,
                        _LANG,
                    ],
                    "responses": _answers("Models in key order.", listing, 400, 404, 503),
                }
            },
            "/v1/resolve": {
                "get": {
                    "summary": "What a call would use (docs/resolution.md).",
                    "parameters": _question(caps),
                    "responses": _answers(
                        "The resolved model, its merged call parameters and warnings.",
                        {
                            "type": "object",
                            "required": ["digest", "resolved"],
                            "properties": {"digest": {"type": "string"}, "resolved": resolved},
                        },
                        400,
                        404,
                        503,
                    ),
                }
            },
            "/v1/candidates": {
                "get": {
                    "summary": "Every answer /v1/resolve could give, best first.",
                    "parameters": _question(caps),
                    "responses": _answers(
                        "The candidates in order (empty when nothing can serve).",
                        {
                            "type": "object",
                            "required": ["digest", "candidates"],
                            "properties": {
                                "digest": {"type": "string"},
                                "candidates": {"type": "array", "items": resolved},
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
                    "responses": {
                        "200": {
                            "description": "Alive.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Ready once a good manifest is serving.",
                    "responses": {
                        "200": {
                            "description": "Ready (with digest).",
                            "content": {"application/json": {"schema": _READY}},
                        },
                        "503": {
                            "description": _STATUS[503],
                            "content": {"application/json": {"schema": _NOT_READY}},
                        },
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
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": _SCHEMAS},
    }


_STR_OR_NULL = {"type": ["string", "null"]}
_SCHEMAS: dict[str, Any] = {
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
                        "description": "A code of docs/resolution.md (no_active_model, "
                        "unknown_provider, bad_request, ...), not_ready, http_404, http_405",
                    },
                    "message": {"type": "string"},
                    "missing": {"type": "object", "description": "The names asked for."},
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
    "ProviderSummary": {
        "type": "object",
        "required": ["id", "display_name", "api", "enabled", "allow_shared_credentials"],
        "properties": {
            "id": {"type": "string"},
            "display_name": {"type": "string"},
            "display_names": {"type": "object"},
            "api": {"type": "string"},
            "base_url": _STR_OR_NULL,
            "enabled": {"type": "boolean"},
            "allow_shared_credentials": {
                "type": "boolean",
                "description": "false: every app must pass its own key (never served here).",
            },
        },
    },
    "Resolved": {
        "type": "object",
        "required": ["provider", "model", "capability", "params", "via", "warnings"],
        "properties": {
            "provider": {"type": "string"},
            "model": {"type": "string"},
            "id": {"type": "string"},
            "upstream_id": {"type": "string"},
            "display_name": {"type": "string"},
            "capability": {"type": "string"},
            "api": {"type": "string"},
            "base_url": _STR_OR_NULL,
            "params": {"type": "object"},
            "via": {
                "type": "string",
                "enum": ["model", "template", "provider", "default", "fallback", "scope"],
            },
            "template": _STR_OR_NULL,
            "warnings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
}
