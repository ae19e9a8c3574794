"""Registry.failover() and Resolved.report(): cooldowns, Retry-After, one probe; and
Registry.call() against a real upstream process that fails on cue."""

from __future__ import annotations

import logging
import time
import urllib.error
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.failover_fleet import Upstream, chat, registry

from regctl.client import CallFailed, InvalidManifest, Registry, health, limits, usage
from regctl.client._policy import FailoverPolicy
from regctl.client.failures import ProviderError, classify


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    health.reset()
    limits.reset()
    yield
    health.reset()
    limits.reset()


# -- the health rules, as a table: (policy, reports [(t, ok, status, retry_after)],
#    then (t, may the model be taken at t?) checked in order) -----------------------------

P = FailoverPolicy(allowed_fails=2, window_seconds=10, cooldown_seconds=5)
RULES = [
    ("allowed fails are allowed", P, [(0, False, 500, None), (1, False, 503, None)],
     [(2, True)]),
    ("one more cools down", P, [(0, False, 500, None), (1, False, 500, None),
                                (2, False, None, None)], [(3, False), (6.9, False)]),
    ("failures outside the window do not add up", P,
     [(0, False, 500, None), (1, False, 500, None), (12, False, 500, None)], [(12.5, True)]),
    ("a success clears the count", P, [(0, False, 500, None), (1, False, 500, None),
                                       (2, True, None, None), (3, False, 500, None)],
     [(4, True)]),
    ("a bad request is not the model's fault", P, [(t, False, 400, None) for t in range(5)],
     [(5, True)]),
    ("422 neither", P, [(t, False, 422, None) for t in range(5)], [(5, True)]),
    ("429 counts", P, [(t, False, 429, None) for t in range(3)], [(3, False)]),
    ("401 counts", P, [(t, False, 401, None) for t in range(3)], [(3, False)]),
    ("Retry-After sets the cooldown", P,
     [(0, False, 429, None), (0, False, 429, None), (0, False, 429, 30)],
     [(29, False), (30.5, True)]),
    ("Retry-After is capped", FailoverPolicy(allowed_fails=0, max_cooldown_seconds=60),
     [(0, False, 503, 86400)], [(59, False), (60.5, True)]),
    ("after the cooldown one probe", P, [(0, False, 500, None)] * 3,
     [(5.5, True), (5.6, False), (10.4, False), (10.6, True)]),
    ("allowed_fails 0 cools down at once", FailoverPolicy(allowed_fails=0),
     [(0, False, 500, None)], [(1, False), (5.1, True)]),
]  # fmt: skip


@pytest.mark.parametrize(("policy", "reports", "checks"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])  # fmt: skip
def test_health_rules(policy: FailoverPolicy, reports: list[Any], checks: list[Any]) -> None:
    h = health.Health()
    for t, ok, status, retry_after in reports:
        h.report("p/m", ok, policy, status, retry_after, now=1000 + t)
    for t, expected in checks:
        assert h.take("p/m", policy, now=1000 + t) is expected, t


def test_probe_decides() -> None:
    h, pol = health.Health(), FailoverPolicy(allowed_fails=0, cooldown_seconds=5)
    h.report("p/m", False, pol, 500, now=0)
    assert h.take("p/m", pol, now=6)  # the probe
    assert h.report("p/m", False, pol, 500, now=6.5)  # a failed probe: cools down again
    assert not h.take("p/m", pol, now=11)
    assert h.take("p/m", pol, now=12)  # the next probe...
    assert not h.report("p/m", True, pol, now=12.1)  # ...succeeds: healthy
    assert h.take("p/m", pol, now=12.2) and h.take("p/m", pol, now=12.3)
    assert h.state("p/m") == {"fails": 0, "cooldown": 0.0, "probing": False}


def test_classify_common_shapes() -> None:
    class APIStatusError(Exception):
        def __init__(self, status: int, headers: dict[str, str]) -> None:
            self.status_code, self.response = status, type("R", (), {"headers": headers})()

    class APITimeoutError(Exception):
        pass

    f = classify(APIStatusError(429, {"retry-after": "7"}))
    assert f is not None and (f.status, f.retryable, f.failover, f.retry_after) == (
        429, True, True, 7.0)  # fmt: skip
    f = classify(APIStatusError(400, {}))
    assert f is not None and not f.retryable and not f.failover
    f = classify(APIStatusError(404, {}))
    assert f is not None and not f.retryable and f.failover
    f = classify(APITimeoutError())
    assert f is not None and f.kind == "timeout" and f.retryable
    assert classify(ConnectionRefusedError()).kind == "connection"  # type: ignore[union-attr]
    assert classify(KeyError("app bug")) is None
    bad = classify(APIStatusError(503, {"retry-after": "nan"}))
    assert bad is not None and bad.retry_after is None
    date = classify(APIStatusError(503, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert date is not None and date.retry_after == 0.0


# -- failover() on a real manifest -----------------------------------------------------


def _load(tmp_path: Path, up: Upstream | None, **kw: Any) -> Registry:
    return Registry.load(registry(tmp_path, up, **kw))


def test_failover_skips_cooling_models_then_probes(tmp_path: Path) -> None:
    fo = {"allowed_fails": 1, "cooldown_seconds": 0.3, "window_seconds": 60}
    reg = _load(tmp_path, None, policy={"failover": fo})
    keys = [r.model.key for r in reg.failover("chat")]
    assert keys == ["primary/model-0", "backup/model-1", "spare/model-2"]
    first = next(reg.failover("chat"))
    assert not first.report(False, status=503)
    assert first.report(False, status=503)  # the second failure is one too many
    assert [r.model.key for r in reg.failover("chat")] == ["backup/model-1", "spare/model-2"]
    time.sleep(0.35)
    probe = next(reg.failover("chat"))
    assert probe.model.key == "primary/model-0"
    # While the probe is out, other callers go on to the next candidate.
    assert next(reg.failover("chat")).model.key == "backup/model-1"
    probe.report(True)
    assert next(reg.failover("chat")).model.key == "primary/model-0"


def test_malformed_policy_fails_the_load(tmp_path: Path) -> None:
    import json

    from regctl.base.canonical import dumps_pretty, seal

    lock = registry(tmp_path, None)
    doc = json.loads(lock.read_text())
    doc.pop("digest")
    doc["registry"]["policy"]["failover"] = {"allowed_fails": "3"}
    lock.write_text(dumps_pretty(seal(doc)))
    with pytest.raises(InvalidManifest, match=r"failover\.allowed_fails"):
        Registry.load(lock)
    doc["registry"]["policy"]["failover"] = {"cooldown_seconds": 1e400}
    lock.write_text(dumps_pretty(seal(doc)).replace("Infinity", "1e400"))
    with pytest.raises(InvalidManifest):
        Registry.load(lock)


# -- call() against a real upstream process ----------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


FAST = {"allowed_fails": 1, "cooldown_seconds": 0.5, "num_retries": 1, "backoff_seconds": 0.01,
        "max_backoff_seconds": 0.05}  # fmt: skip


def test_call_retries_fails_over_and_records_every_attempt(tmp_path: Path, upstream: Upstream):
    upstream.reset()
    reg = _load(tmp_path, upstream, policy={"failover": FAST})
    upstream.cue("primary", [500, 503])  # both tries of primary fail, backup answers
    sink = Sink()
    answer = reg.call("chat", chat, sink=sink)
    assert answer["choices"][0]["message"]["content"] == "hello from backup"
    assert upstream.hits() == [("primary", 500), ("primary", 503), ("backup", 200)]
    assert [(e.model, e.ok) for e in sink.events] == [
        ("primary/model-0", False),
        ("primary/model-0", False),
        ("backup/model-1", True),
    ]
    last = sink.events[-1]
    assert (last.input_tokens, last.output_tokens, last.cost) == (12, 5, Decimal("0.000022"))
    assert all(e.latency_ms is not None and e.latency_ms > 0 for e in sink.events)
    # primary failed twice > allowed_fails 1: cooling down, the next call goes to backup
    upstream.reset()
    reg.call("chat", chat, sink=sink)
    assert upstream.hits() == [("backup", 200)]
    time.sleep(0.55)  # cooldown over: one probe to primary, which is healthy again
    reg.call("chat", chat, sink=sink)
    assert upstream.hits() == [("backup", 200), ("primary", 200)]


def test_call_honours_retry_after_and_moves_on_when_it_is_long(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.reset()
    reg = _load(tmp_path, upstream, policy={"failover": FAST | {"max_backoff_seconds": 0.5}})
    upstream.cue("primary", [{"status": 429, "retry_after": 0.3}, 200])
    t0 = time.monotonic()
    reg.call("chat", chat, sink=Sink())
    assert time.monotonic() - t0 >= 0.3  # waited as told, on the same model
    assert upstream.hits() == [("primary", 429), ("primary", 200)]
    upstream.reset()
    upstream.cue("primary", [{"status": 429, "retry_after": 30}])
    t0 = time.monotonic()
    reg.call("chat", chat, sink=Sink())
    assert time.monotonic() - t0 < 5  # 30 s is above max_backoff: the next candidate
    assert upstream.hits() == [("primary", 429), ("backup", 200)]


def test_call_lists_every_attempt_when_all_fail(tmp_path: Path, upstream: Upstream) -> None:
    upstream.reset()
    reg = _load(tmp_path, upstream, policy={"failover": FAST | {"num_retries": 0}})
    for name in ("primary", "backup", "spare"):
        upstream.default(name, 502)
    with pytest.raises(CallFailed) as err:
        reg.call("chat", chat, sink=Sink())
    msg = str(err.value)
    assert msg.startswith("every candidate for capability 'chat' failed: primary/model-0: http 502")
    assert "backup/model-1: http 502" in msg and "spare/model-2: http 502" in msg
    assert "\n" not in msg and "test-key" not in msg
    assert [a.model for a in err.value.attempts] == [
        "primary/model-0",
        "backup/model-1",
        "spare/model-2",
    ]
    assert isinstance(err.value.__cause__, urllib.error.HTTPError)
    # All three failed once (allowed 1): one more round cools them all down.
    with pytest.raises(CallFailed):
        reg.call("chat", chat, sink=Sink())
    with pytest.raises(CallFailed, match=r"no candidate .* can be called now") as err:
        reg.call("chat", chat, sink=Sink())
    assert err.value.attempts == () and 0 < (err.value.retry_after or 0) <= 0.5
    assert err.value.code == "call_failed" and err.value.exit_code == 8
    fa = Registry.load(tmp_path / "manifest.lock.json", locale="fa")
    with pytest.raises(CallFailed) as err:
        fa.call("chat", chat, sink=Sink())
    assert str(err.value).startswith("اکنون هیچ نامزدی برای قابلیت «chat» قابل فراخوانی نیست")


def test_call_does_not_fail_over_a_bad_request_or_an_app_bug(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.reset()
    reg = _load(tmp_path, upstream, policy={"failover": FAST})
    upstream.cue("primary", [400])
    with pytest.raises(CallFailed, match="refused the request"):
        reg.call("chat", chat, sink=Sink())
    assert upstream.hits() == [("primary", 400)]

    def buggy(r: Any) -> Any:
        raise KeyError("my own bug")

    with pytest.raises(KeyError):
        reg.call("chat", buggy, sink=Sink())
    assert health.default.state("primary/model-0")["fails"] == 0


def test_call_connection_refused_fails_over(tmp_path: Path, upstream: Upstream) -> None:
    upstream.reset()
    reg = _load(tmp_path, upstream, policy={"failover": FAST | {"num_retries": 0}})

    def fn(r: Any) -> Any:
        if r.provider.id == "primary":
            raise ProviderError(status=None)  # as an SDK's connection error would
        return chat(r)

    assert reg.call("chat", fn, sink=Sink())["choices"][0]["message"]["content"].endswith("backup")


def test_usage_default_sinks_get_every_attempt(
    tmp_path: Path, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.reset()
    reg = _load(tmp_path, upstream, policy={"failover": FAST | {"num_retries": 0}})
    out = tmp_path / "usage.jsonl"
    usage.configure(f"jsonl:{out}")
    try:
        upstream.cue("primary", [500])
        with caplog.at_level(logging.WARNING):
            reg.call("chat", chat)
        usage.flush()
    finally:
        usage.configure()
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and '"ok":false' in lines[0] and '"ok":true' in lines[1]
