"""Generate ``schemas/registry.schema.json`` and ``schemas/manifest.schema.json``.

Both come from the pydantic models (:mod:`regctl.pipeline.schema`,
:mod:`regctl.docs.manifest_model`), so the editor schema, the validator and the manifest
cannot disagree; a test fails when the committed files drift from what this module renders.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from regctl.docs.manifest_model import Manifest
from regctl.pipeline.schema import API_VERSION, KINDS, ModelBody

SCHEMA_BASE = "https://regctl.dev/schemas/"


def registry_schema() -> dict[str, Any]:
    """One schema for any registry document: ``if kind is X then it is an X``.

    Not ``oneOf`` with a discriminator: a standard validator tries every branch of a
    ``oneOf`` and reports the wrong one ("Additional properties are not allowed ('api',
    'credentials', ...)") for a typo deep inside a Provider. With ``if``/``then`` on
    ``kind`` only the document's own kind is checked, so errors name the right field.
    """
    union = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
    generated: dict[str, Any] = TypeAdapter(union).json_schema()  # type: ignore[arg-type,unused-ignore]
    defs = generated.get("$defs", {})
    branches = []
    for kind, cls in KINDS.items():
        branches.append(
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{cls.__name__}"},
            }
        )
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {
            "apiVersion": {"const": API_VERSION, "description": "Always regctl/v1."},
            "kind": {"enum": list(KINDS), "description": "The document kind."},
        },
        "allOf": branches,
        "$defs": defs,
    }
    body = ModelBody.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(body.pop("$defs", {}))
    defs["ModelBody"] = body
    # Provider.models is validated model by model at run time; tell editors its item shape.
    defs["ProviderDoc"]["properties"]["models"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/ModelBody"},
        "title": "Models",
    }
    schema = _nullable_as_if(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_BASE + "registry.schema.json"
    schema["title"] = "regctl registry document"
    return schema


def _nullable_as_if(node: Any) -> Any:
    """``anyOf: [X, {type: null}]`` -> ``if: {type: null}, else: X``, everywhere.

    Same meaning, but a validator reports X's own error ("Additional properties are
    not allowed ('contxt_window' was unexpected)") instead of "not valid under any of
    the given schemas" with a best guess that blames the null branch.
    """
    if isinstance(node, list):
        return [_nullable_as_if(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_as_if(v) for k, v in node.items()}
    branches = out.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
        other = next(b for b in branches if b != {"type": "null"})
        del out["anyOf"]
        out.update({"if": {"type": "null"}, "then": True, "else": other})
    return out


def manifest_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_BASE + "manifest.schema.json"
    return schema


def render_all() -> dict[str, str]:
    """File name -> file text, for ``regctl schema``."""
    return {
        name: json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for name, schema in (
            ("registry.schema.json", registry_schema()),
            ("manifest.schema.json", manifest_schema()),
        )
    }
