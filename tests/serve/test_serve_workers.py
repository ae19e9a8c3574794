"""`regctl serve --workers 2`: two processes answer on one port and stop together."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tests.serve.serve_fixtures import Server, variant, write

ACTIVE = "/v1/providers/openai/active?capability=chat"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_two_workers_answer_reload_and_stop_on_sigterm(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    path, doc = manifest
    srv = Server(str(path), tmp_path, args=("--workers", "2"))
    workers = _children(srv.proc.pid)
    assert len(workers) == 2, workers
    # The server is ready when one worker answers; each worker loads its own manifest,
    # and on a loaded machine the other may still be loading: wait for both.
    srv.wait_for(
        lambda: all(
            srv.get(ACTIVE, headers={"Connection": "close"}).status_code == 200 for _ in range(10)
        )
    )
    seen = set()
    for _ in range(40):  # new connections each time: both workers accept
        r = srv.get(ACTIVE, headers={"Connection": "close"})
        assert r.status_code == 200
        seen.add(r.json()["model"]["key"])
    assert seen == {"openai/gpt-4o"}
    write(path, variant(doc, "openai/gpt-4o-mini"))
    srv.wait_for(
        lambda: all(
            srv.get(ACTIVE, headers={"Connection": "close"}).json()["model"]["key"]
            == "openai/gpt-4o-mini"
            for _ in range(10)
        )
    )
    assert srv.stop() == 0
    time.sleep(0.2)
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
    assert "Traceback" not in srv.logs()
