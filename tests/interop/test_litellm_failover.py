"""The exported LiteLLM config fails over and cools down as regctl's own client does.

One loopback upstream process (tests/flaky_upstream.py) fails on cue; the same script
runs through a real ``litellm.Router`` built from ``regctl export litellm`` (in its own
process) and through ``Registry.call``; the upstream's log of which provider served what
must be the same, call by call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import require_module
from tests.failover_fleet import Upstream, chat, registry

from regctl.client import Registry, health, limits

#: Each step: (queue these answers on primary, calls to make, seconds to sleep after).
SCRIPT = [
    ([500, 500], 4, 0.0),  # primary fails twice: failover, then cooldown (backup only)
    ([], 1, 2.3),  # still cooling down: backup
    ([], 2, 0.0),  # cooldown over: primary serves again
]

ROUTER = r"""
import json, sys, time, urllib.request, yaml
import litellm
cfg = yaml.safe_load(open(sys.argv[1]))
upstream, script = sys.argv[2], json.loads(sys.argv[3])
router = litellm.Router(model_list=cfg["model_list"], **cfg["router_settings"])
def post(path, body):
    req = urllib.request.Request(upstream + path, json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()
def hits():
    return json.loads(urllib.request.urlopen(upstream + "/_hits", timeout=5).read())
post("/_reset", {})
out = []
for cue, calls, pause in script:
    if cue:
        post("/_cue/primary", cue)
    for _ in range(calls):
        before = len(hits())
        router.completion(model="chat", messages=[{"role": "user", "content": "hi"}])
        out.append(hits()[before:])
    time.sleep(pause)
print(json.dumps(out))
"""


def _regctl(lock: Path, up: Upstream) -> list[list[list[Any]]]:
    health.reset()
    limits.reset()
    reg = Registry.load(lock)
    up.reset()
    out = []

    class Sink:
        def emit(self, e: Any) -> None: ...
        def flush(self) -> None: ...
        def close(self) -> None: ...

    for cue, calls, pause in SCRIPT:
        if cue:
            up.cue("primary", cue)
        for _ in range(calls):
            before = len(up.hits())
            reg.call("chat", chat, sink=Sink())
            out.append([list(h) for h in up.hits()[before:]])
        time.sleep(pause)
    return out


@pytest.mark.parametrize("retries", [0, 1])
def test_litellm_router_and_regctl_fail_over_alike(
    tmp_path: Path, upstream: Upstream, retries: int, cli
) -> None:
    require_module("litellm")
    policy = {"failover": {"allowed_fails": 1, "cooldown_seconds": 2, "num_retries": retries,
                           "backoff_seconds": 0.01, "max_backoff_seconds": 0.05}}  # fmt: skip
    lock = registry(tmp_path, upstream, policy=policy, region="us-east-1")
    config = tmp_path / "litellm.yaml"
    done = cli("export", "litellm", str(lock), "-o", str(config))
    assert done.returncode == 0, done.stderr
    settings = yaml.safe_load(config.read_text())["router_settings"]
    assert settings | {"fallbacks": None} == {
        "num_retries": retries, "allowed_fails": 1, "cooldown_time": 2.0,
        "routing_strategy": "simple-shuffle", "fallbacks": None,
    }  # fmt: skip
    script = tmp_path / "router.py"
    script.write_text(ROUTER)
    env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", FAILOVER_TEST_KEY="test-key")
    run = subprocess.run(
        [sys.executable, str(script), str(config), upstream.url, json.dumps(SCRIPT)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    theirs = json.loads(run.stdout.strip().splitlines()[-1])
    ours = _regctl(lock, upstream)
    first = [["primary", 500]] * (1 + retries) + [["backup", 200]]
    expected = (
        [first]
        + ([first] if retries == 0 else [[["backup", 200]]])  # the 2nd failure cools down
        + [[["backup", 200]]] * 3  # cooling down: primary is not even tried
        + [[["primary", 200]]] * 2  # the cooldown is over and primary answers again
    )
    assert ours == expected, ours
    assert theirs == expected, theirs
