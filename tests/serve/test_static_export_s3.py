"""`regctl export static --to s3://` publishes the export to a real S3 store (SeaweedFS)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.fleet import Server, make_bucket, s3_env
from tests.fleet import s3_server as s3_server  # the session fixture


def _get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read(), dict(r.headers)


def test_published_export_is_served_by_the_store_with_the_exports_bytes(
    tmp_path: Path,
    manifest: tuple[Path, dict[str, Any]],
    s3_server: Server,
) -> None:
    path, doc = manifest
    bucket = make_bucket(s3_server.url, versioned=False)
    out = tmp_path / "public"
    done = run_cli(
        "export", "static", str(path), "-o", str(out), "--to", f"s3://{bucket}/api",
        env=s3_env(s3_server.url),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"published s3://{bucket}/api" in done.stderr
    base = f"{s3_server.url}/{bucket}/api"
    body, headers = _get(f"{base}/current.json")
    assert body == (out / "current.json").read_bytes()
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-cache"
    current = json.loads(body)
    assert current["digest"] == doc["digest"]
    index = json.loads(_get(f"{base}/{current['index']}")[0])
    for file in index["routes"].values():
        got, headers = _get(f"{base}/{current['root']}{file}")
        assert got == (out / current["root"] / file).read_bytes(), file
    assert "immutable" in headers["Cache-Control"]


def test_a_store_that_cannot_be_reached_is_a_one_line_error(
    tmp_path: Path, manifest: tuple[Path, dict[str, Any]]
) -> None:
    env = s3_env("http://127.0.0.1:9")  # nothing listens on the discard port
    done = run_cli("export", "static", str(manifest[0]), "--to", "s3://nope/api", env=env)
    assert done.returncode == 1, done.stderr
    assert "cannot publish" in done.stderr and "Traceback" not in done.stderr
