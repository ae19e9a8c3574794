"""Mapping helpers shared by the importers: ids, env names, limits, prices, dates.

Importers build plain dicts in the field order the registry documents use
(docs/reference.md) and hand them to :mod:`regctl.interop.writer`. The helpers here make
those dicts valid by construction (ids that match the schema's patterns, limits with
``max_output_tokens <= context_window``, non-negative prices) and record every
adjustment in the :class:`~regctl.interop.report.ImportReport`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

from regctl.interop.report import ImportReport
from regctl.pipeline import schema

#: The largest input file an importer reads (a full LiteLLM price map is ~1.5 MB).
MAX_IMPORT_BYTES = 64 * 1024 * 1024


def first_line(exc: BaseException) -> str:
    """An exception's first line, short (JSON errors name a position, never the content)."""
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return text or type(exc).__name__


PROVIDER_ID = re.compile(schema.PROVIDER_ID)
MODEL_ID = re.compile(schema.MODEL_ID)
ENV_NAME = re.compile(schema.ENV_NAME)

#: The built-in capability vocabulary (docs/reference.md); importers may add names
#: declared in the Registry.
CAPABILITIES = frozenset(schema.CAPABILITIES)

_BAD_MODEL_CHARS = re.compile(r"[^A-Za-z0-9._:/@-]+")
_BAD_PROVIDER_CHARS = re.compile(r"[^a-z0-9._-]+")


def provider_id(raw: str) -> str | None:
    """A valid provider id for ``raw`` (lowercased, other characters to ``-``)."""
    cand = _BAD_PROVIDER_CHARS.sub("-", raw.strip().lower()).strip("-._")
    return cand if PROVIDER_ID.match(cand) else None


def model_id(raw: str) -> str | None:
    """A valid model id for ``raw``, or None when nothing sensible remains.

    Leading marks that upstream catalogs use for namespaces (``@cf/...``,
    ``~openai/...``) are dropped and other characters become ``-``; the caller keeps
    ``raw`` as ``upstream_id`` so the id sent to the provider is unchanged.
    """
    if MODEL_ID.match(raw):
        return raw
    cand = _BAD_MODEL_CHARS.sub("-", raw.strip())
    cand = re.sub(r"^[^A-Za-z0-9]+", "", cand)
    return cand if MODEL_ID.match(cand) else None


def env_ref_name(raw: str) -> str | None:
    """A valid environment variable name for ``raw`` (``302AI_API_KEY`` -> ``_302AI_API_KEY``)."""
    cand = re.sub(r"[^A-Za-z0-9_]", "_", raw.strip())
    if cand and cand[0].isdigit():
        cand = "_" + cand
    return cand if ENV_NAME.match(cand) else None


def env_name_for(provider: str) -> str:
    """The conventional key variable for a provider id: ``my-llm`` -> ``MY_LLM_API_KEY``."""
    name = env_ref_name(provider.upper().replace("-", "_").replace(".", "_")) or "PROVIDER"
    return f"{name}_API_KEY"


def per_mtok(per_token: Any) -> float | None:
    """USD per token -> USD per 1,000,000 tokens, rounded to kill float noise (1e-12 USD)."""
    if isinstance(per_token, bool) or not isinstance(per_token, (int, float)):
        return None
    if not _finite(per_token * 1_000_000):
        return None
    return _clean(per_token * 1_000_000)


def price(value: Any) -> float | None:
    """A price already per 1M tokens, or None when it is not a non-negative number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    if not _finite(value):  # NaN/Infinity in upstream JSON: the manifest is strict JSON
        return None
    return _clean(value)


def _finite(x: float) -> bool:
    try:
        return math.isfinite(x) and abs(x) < 2**63
    except OverflowError:  # an int too large for a float
        return False


def _clean(x: float) -> float:
    # Whole prices are written as ints (``10`` not ``10.0``), as a person would write them.
    r = round(float(x), 6)
    return int(r) if r.is_integer() else r


def pricing(
    where: str,
    report: ImportReport,
    *,
    input: float | None = None,
    output: float | None = None,
    cached: float | None = None,
) -> dict[str, Any] | None:
    """The ``pricing`` block, or None when no price is known."""
    out: dict[str, Any] = {}
    for key, val in (
        ("input_per_mtok", input),
        ("output_per_mtok", output),
        ("cached_input_per_mtok", cached),
    ):
        if val is None:
            continue
        if val < 0:
            report.note(where, "negative-price", f"{key}={val}")
            continue
        out[key] = val
    if not out:
        return None
    out["currency"] = "USD"
    return out


def limits(where: str, report: ImportReport, context: Any, output: Any) -> dict[str, int] | None:
    """The ``limits`` block: positive ints only, ``max_output_tokens <= context_window``.

    Upstream data sometimes lists an output limit above the context window (the two
    are measured differently by some providers); the registry forbids that, so the
    output limit is dropped and noted rather than invented.
    """
    out: dict[str, int] = {}
    ctx = _pos_int(context)
    mo = _pos_int(output)
    if ctx is not None:
        out["context_window"] = ctx
    if mo is not None:
        if ctx is not None and mo > ctx:
            report.note(where, "output-above-context", f"max_output {mo} > context {ctx}")
        else:
            out["max_output_tokens"] = mo
    return out or None


def _pos_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str) and v.isdigit() and len(v) <= 19:
        v = int(v)
    # A registry number fits in 64 bits (the loader refuses more).
    return v if isinstance(v, int) and 0 < v < 2**63 else None


def iso_date(value: Any) -> _dt.date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` (first of month) or a date/datetime -> date, else None."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()[:10]
    try:
        if len(s) == 7:
            return _dt.date.fromisoformat(s + "-01")
        return _dt.date.fromisoformat(s)
    except ValueError:
        return None


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` without the keys whose value is None (keeps insertion order)."""
    return {k: v for k, v in d.items() if v is not None}


def add_model(
    models: list[dict[str, Any]],
    seen: dict[str, str],
    model: dict[str, Any],
    where: str,
    report: ImportReport,
) -> bool:
    """Append ``model`` unless its id is taken in this provider (then skip and report)."""
    mid = model["id"]
    if mid in seen:
        report.skip(where, "duplicate-model-id", f"id {mid!r} already imported from {seen[mid]}")
        return False
    seen[mid] = where
    models.append(model)
    return True
