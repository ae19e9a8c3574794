"""What the bounded I/O layer costs ``Registry.load`` (issue 20). Ratios from this one run.

The same ``Registry.load(source, cache=False)`` of the same 1,000-model manifest is timed
with two versions of the package: this checkout (``new``: the one URL parser, the total
deadline watchdog, the body cap, shape-checked etcd answers, S3 and etcd through
``safehttp``) and the package as it was before the layer took over the network
(``old``: ``git archive`` of ``--before``, by default 45555b9, main just before issue 20's
first landing: per-socket-read timeouts, ``urllib.request`` for etcd, ``http.client``
directly for S3). Sources, all on loopback:

- ``http``: a ``ThreadingHTTPServer`` serving the manifest with an ETag;
- ``s3``: SeaweedFS (``weed``), the object put with boto3, signed GETs;
- ``etcd``: a real etcd, the manifest written by the etcd target (pointer + gzip chunks).

Two figures per source: *cold* (a fresh process: ``import regctl.client`` untimed, then
one timed load, lazy imports of the network modules included) and *warm* (50 loads in
one process after 5 untimed ones). Each is measured as CPU time of the loading process
(``time.process_time``: what the layer costs, steady on a machine other jobs share) and
as wall time. Both versions run from copies with their bytecode written (one untimed
run each first), as an installed package runs. Cold figures are the median of
``--runs`` processes, warm ones the median of ``--runs // 3`` processes' medians; new
and old alternate so drift hits both.
Target: new/old <= 1.05.

Usage: ``python bench/bench_io_layer.py [--runs 15] [--before 45555b9]``.
"""

from __future__ import annotations

import argparse
import http.server
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_client import make_manifest  # noqa: E402
from tests.fleet import etcd, s3_env, seaweed  # noqa: E402

COLD = """
import os, sys, time
import regctl.client
from regctl.client import Registry
t, c = time.perf_counter(), time.process_time()
reg = Registry.load(sys.argv[1], cache=False)
wall, cpu = time.perf_counter() - t, time.process_time() - c
assert reg.active_model("p1", "chat") is not None
print(cpu, wall)
"""

WARM = """
import statistics, sys, time
from regctl.client import Registry
for _ in range(5):
    Registry.load(sys.argv[1], cache=False)
cpu, wall = [], []
for _ in range(50):
    t, c = time.perf_counter(), time.process_time()
    Registry.load(sys.argv[1], cache=False)
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - t)
print(statistics.median(cpu), statistics.median(wall))
"""


def old_src(commit: str, into: Path) -> Path:
    """The package's ``src`` at ``commit`` (git archive), unpacked under ``into``."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def serve_http(body: bytes) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/manifest.lock.json", server


def put_s3(endpoint: str, body: bytes) -> str:
    import boto3

    env = s3_env(endpoint)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="bench")
    client.put_object(Bucket="bench", Key="prod/manifest.lock.json", Body=body)
    return "s3://bench/prod/manifest.lock.json"


def put_etcd(url: str, text: str) -> str:
    import json

    from regctl.deploy.targets.base import Deployed
    from regctl.deploy.targets.etcd import EtcdTarget

    uri = "etcd://" + url.split("://", 1)[1] + "/regctl/bench"
    EtcdTarget(uri, operator=True).write(text, json.loads(text)["digest"], expected=Deployed(None))
    return uri


def run(code: str, src: Path, source: str, env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) the snippet printed."""
    full = dict(os.environ, **env, PYTHONPATH=str(src))
    full.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
    proc = subprocess.run(
        [sys.executable, "-c", code, source], env=full, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    cpu, wall = proc.stdout.strip().splitlines()[-1].split()
    return float(cpu), float(wall)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--before", default="45555b9")
    args = ap.parse_args()
    text = make_manifest(1000)
    body = text.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        new = work / "new" / "src"
        shutil.copytree(ROOT / "src", new, ignore=shutil.ignore_patterns("__pycache__"))
        versions = {"new": new, "old": old_src(args.before, work / "old")}
        weed = seaweed(_which("weed"), work / "weed")
        store = etcd(_which("etcd"), work / "etcd")
        weed.start()
        store.start()
        http_url, server = serve_http(body)
        try:
            env = s3_env(weed.url)
            sources = {
                "http": (http_url, {}),
                "s3": (put_s3(weed.url, body), env),
                "etcd": (put_etcd(store.url, text), {}),
            }
            print(
                f"manifest: 1000 models, {len(body) / 1e6:.1f} MB; old = {args.before}; "
                f"runs = {args.runs}; load average {os.getloadavg()[0]:.1f}"
            )
            for kind, (source, extra) in sources.items():
                for src in versions.values():
                    run(COLD, src, source, extra)  # writes the bytecode; not timed
                cold: dict[str, list[tuple[float, float]]] = {"new": [], "old": []}
                for _ in range(args.runs):
                    for name, src in versions.items():
                        cold[name].append(run(COLD, src, source, extra))
                warms: dict[str, list[tuple[float, float]]] = {"new": [], "old": []}
                for _ in range(max(3, args.runs // 3)):
                    for name, src in versions.items():
                        warms[name].append(run(WARM, src, source, extra))
                warm = {
                    name: (
                        statistics.median(r[0] for r in rows),
                        statistics.median(r[1] for r in rows),
                    )
                    for name, rows in warms.items()
                }
                for label, cpu_or_wall in (("CPU ", 0), ("wall", 1)):
                    c_new = statistics.median(r[cpu_or_wall] for r in cold["new"])
                    c_old = statistics.median(r[cpu_or_wall] for r in cold["old"])
                    w_new, w_old = warm["new"][cpu_or_wall], warm["old"][cpu_or_wall]
                    print(
                        f"{kind:5} {label} cold: new {c_new * 1e3:6.1f} ms  old {c_old * 1e3:6.1f}"
                        f" ms  new/old {c_new / c_old:.2f}x   warm: new {w_new * 1e3:5.1f} ms  "
                        f"old {w_old * 1e3:5.1f} ms  new/old {w_new / w_old:.2f}x"
                    )
        finally:
            server.shutdown()
            weed.stop()
            store.stop()
    print("target: new/old <= 1.05")


def _which(name: str) -> str:
    import shutil

    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is not installed (bash scripts/install-test-deps.sh)")
    return path


if __name__ == "__main__":
    main()
