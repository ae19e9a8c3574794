"""Generate ``schemas/registry.schema.json`` and ``schemas/manifest.schema.json``.

Both come from the pydantic models (:mod:`regctl.schema`, :mod:`regctl.manifest_model`),
so the editor schema, the validator and the manifest cannot disagree; a test fails
when the committed files drift from what this module renders.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from regctl.manifest_model import Manifest
from regctl.schema import KINDS, ModelBody

SCHEMA_BASE = "https://regctl.dev/schemas/"


def registry_schema() -> dict[str, Any]:
    """One schema for any registry document, discriminated by ``kind``."""
    union = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
    schema: dict[str, Any] = TypeAdapter(union).json_schema()
    defs = schema.setdefault("$defs", {})
    body = ModelBody.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(body.pop("$defs", {}))
    defs["ModelBody"] = body
    # Provider.models is validated model by model at run time; tell editors its item shape.
    defs["ProviderDoc"]["properties"]["models"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/ModelBody"},
        "title": "Models",
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_BASE + "registry.schema.json"
    schema["title"] = "regctl registry document"
    return schema


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
