"""Hostile values in any field of a dump: the import never crashes, and what it writes
validates (no schema error): every value is checked before it reaches the YAML."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regctl.base.errors import RegctlError
from regctl.interop.django import import_rows
from regctl.interop.writer import write_registry
from regctl.pipeline.compile import compile_registry

DATA = Path(__file__).parent / "data"
# The older tables (seed 000 style) and a dump of the seed 003 oracle project.
ROWS = json.loads((DATA / "django_dump.json").read_text()) + json.loads(
    (DATA / "django_seed003_dump.json").read_text()
)
FIELDS = sorted({(i, name) for i, r in enumerate(ROWS) for name in r.get("fields", {})})

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            " ",
            "\x1b[31m",
            "\u202e",
            "nan",
            "1e999",
            "-1",
            "{x}",
            "{{ x }}",
            "{% for %}",
            "chat",
            "openai",
            "https://",
            "http://a b",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.tuples(st.sampled_from(FIELDS), JSON), min_size=1, max_size=4),
    app=st.sampled_from(["ai", "seed003"]),
)
def test_any_field_any_value(
    picks: list[tuple[tuple[int, str], Any]], app: str, tmp_path_factory: Any
) -> None:
    rows = copy.deepcopy(ROWS)
    for (i, name), value in picks:
        rows[i]["fields"][name] = value
    try:
        # One app at a time, as a real deployment has (two apps hold AIProvider rows here).
        result = import_rows(rows, source="fuzz.json", app=app, as_of=dt.date(2025, 6, 1))
    except RegctlError:
        return
    out = tmp_path_factory.mktemp("fuzz")
    write_registry(
        out,
        result.providers,
        result.registry,
        templates=result.templates,
        schema="https://example.invalid/schema.json",
    )
    errors = [p for p in compile_registry(out).problems if p.severity.value == "error"]
    assert [e for e in errors if e.rule in ("schema", "unknown-field", "yaml-syntax")] == [], errors
