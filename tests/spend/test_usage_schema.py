"""The usage event schema: what a reader accepts is exactly what record() may write."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from regctl.client.usage_event import MAX_LINE_BYTES, BadEvent, parse_line

GOOD: dict[str, Any] = {
    "ts": "2026-11-03T12:00:00.123Z",
    "provider": "openai",
    "model": "openai/gpt-4o",
    "upstream_id": "gpt-4o-2024-08-06",
    "api": "openai",
    "capability": "chat",
    "environment": "prod",
    "template": None,
    "via": "default",
    "digest": "sha256:" + "0" * 64,
    "commit": None,
    "input_tokens": 1200,
    "output_tokens": 300,
    "cached_input_tokens": 200,
    "cost": "0.00575000",
    "currency": "USD",
    "latency_ms": 830.5,
    "ok": True,
}


def _line(**changes: Any) -> str:
    d = {**GOOD, **changes}
    return json.dumps({k: v for k, v in d.items() if v is not _DROP})


_DROP = object()

# (a change to the good event, or a raw line; the words the reason must hold)
BAD: list[tuple[str, str]] = [
    (_line(cost="-150"), "cost"),
    (_line(cost="NaN"), "cost"),
    (_line(cost="Infinity"), "cost"),
    (_line(cost="-Infinity"), "cost"),
    (_line(cost="sNaN"), "cost"),
    (_line(cost="1e30"), "cost"),
    (_line(cost="1E+2"), "cost"),
    (_line(cost="1000000000000"), "cost"),  # 10**12: a corrupt line, not a call
    (_line(cost=" 1"), "cost"),
    (_line(cost="1_000"), "cost"),
    (_line(cost="１"), "cost"),  # a full-width digit, which Decimal() would take
    (_line(cost=1.5), "cost"),
    (_line(cost=True), "cost"),
    (_line(cost="").replace('"cost": ""', '"cost": NaN'), "NaN"),
    (_line(cost="").replace('"cost": ""', '"cost": -Infinity'), "Infinity"),
    (_line(latency_ms=-1), "latency_ms"),
    (_line(latency_ms=True), "latency_ms"),
    (_line(latency_ms="5"), "latency_ms"),
    (_line(latency_ms=1e300), "latency_ms"),
    (_line(latency_ms=0).replace('"latency_ms": 0', '"latency_ms": NaN'), "NaN"),
    (_line(latency_ms=0).replace('"latency_ms": 0', '"latency_ms": Infinity'), "Infinity"),
    (_line(input_tokens=-1), "input_tokens"),
    (_line(input_tokens=1.0), "input_tokens"),
    (_line(output_tokens="10"), "output_tokens"),
    (_line(output_tokens=True), "output_tokens"),
    (_line(output_tokens=2**63), "output_tokens"),
    (_line(cached_input_tokens=5000), "cached_input_tokens"),
    (_line(provider=5), "provider"),
    (_line(provider=None), "provider"),
    (_line(provider=""), "provider"),
    (_line(provider=_DROP), "provider"),
    (_line(model=["x"]), "model"),
    (_line(model={"a": 1}), "model"),
    (_line(environment=5), "environment"),
    (_line(template=[]), "template"),
    (_line(digest=1), "digest"),
    (_line(ts="2026-11-31T12:00:00Z"), "ts"),  # November has 30 days
    (_line(ts="2026-02-29T12:00:00Z"), "ts"),  # not a leap year
    (_line(ts="2026-11-00T12:00:00Z"), "ts"),
    (_line(ts="2026-13-01T12:00:00Z"), "ts"),
    (_line(ts="2026-11-1T12:00:00Z"), "ts"),
    (_line(ts="2026-11-10"), "ts"),
    (_line(ts="2026-11-10T24:00:00Z"), "ts"),
    (_line(ts="2026-11-10T12:00:00"), "ts"),  # no zone: which day is it?
    (_line(ts="2026-11-10T12:00:00+01:00"), "ts"),
    (_line(ts="２０２６-11-10T12:00:00Z"), "ts"),  # full-width digits match \d
    (_line(ts=20261110), "ts"),
    (_line(ts=_DROP), "ts"),
    (_line(currency="EUR"), "currency"),
    (_line(ok="yes"), "ok"),
    (_line(provider="\ud800"), "surrogate"),
    ("[]", "object"),
    ('"just a string"', "object"),
    ("null", "object"),
    ("not json", "JSON"),
    ("[" * 50_000, "JSON"),  # deep nesting: RecursionError inside json, not a crash
]


@pytest.mark.parametrize(("line", "reason"), BAD)
def test_malformed_lines_say_which_field(line: str, reason: str) -> None:
    with pytest.raises(BadEvent) as info:
        parse_line(line.encode("utf-8", "surrogatepass"))
    assert reason in str(info.value)


def test_bytes_must_be_utf8() -> None:
    line = _line(provider="openai").encode().replace(b'"openai"', b'"open\xffai"', 1)
    with pytest.raises(BadEvent, match="UTF-8"):
        parse_line(line)
    # json.loads(bytes) alone would guess UTF-16 from this and accept it.
    with pytest.raises(BadEvent):
        parse_line(_line().encode("utf-16-le"))


GOOD_VARIANTS = [
    {},
    {"ts": "2026-11-03T12:00:00Z"},
    {"ts": "2026-11-03T12:00:00.123456789+00:00"},
    {"ts": "2024-02-29T23:59:60Z"},  # a leap day and a leap second
    {"cost": "0"},
    {"cost": "999999999999.99"},
    {"cost": None},
    {"latency_ms": 0},
    {"latency_ms": None},
    {"environment": None, "template": "summarize"},
    {"cached_input_tokens": _DROP, "currency": _DROP, "ok": _DROP, "latency_ms": _DROP},
    {"provider": "اوپن‌ای‌آی"},
]


@pytest.mark.parametrize("changes", GOOD_VARIANTS)
def test_valid_events_are_read(changes: dict[str, Any]) -> None:
    row = parse_line(_line(**changes).encode())
    d = {**GOOD, **changes}
    assert row.day == d["ts"][:10] and row.provider == d["provider"]
    cost = d["cost"]
    assert row.cost == (None if cost is None else Decimal(cost))


def test_the_line_cap_is_far_above_an_event() -> None:
    assert len(_line()) * 50 < MAX_LINE_BYTES
