"""Benchmark the web console (issue 28) on the models.dev corpus. One run, figures.

The corpus (``../shared/corpus/models.dev``, or ``--corpus``) is imported with
``regctl import modelsdev`` and compiled; ``regctl serve`` serves it with the console
and with ``--no-ui``. Measured:

- the server's answer for the models page (whole page, a search, filters + a sort, a
  page deep in the table, the fragment the filter fetches): median and p95 wall time of
  a request on loopback, after a warm-up (target <= 100 ms);
- the weight of every page with its stylesheet and script, as sent (gzip) and raw
  (target <= 100 KB; the spend charts are separate SVG requests and not counted);
- filtering in a real headless Chromium: typing a search or picking a provider, from
  the event to the new rows in place (``data-filter-ms``, set by the page's script),
  median and p95 (target <= 100 ms);
- the API with the console mounted vs ``--no-ui`` (wrk on an API answer): the
  console's routes come after the API's, so the ratio should be ~1.0.

Needs chromium, chromedriver and selenium (scripts/install-test-deps.sh) and wrk.
Usage: ``python bench/bench_console.py [--corpus DIR] [--rounds 40]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.console.browser import start_chromium, wait_until  # noqa: E402
from tests.nginx_server import free_port  # noqa: E402

MODELS_PAGES = {
    "whole page": "/ui/models",
    "search 'claude'": "/ui/models?q=claude",
    "chat+active+sort": "/ui/models?capability=chat&deprecated=no&sort=input&dir=desc",
    "page 40 of 95": "/ui/models?page=40",
    "fragment (filter)": "/ui/models?q=llama&partial=1",
}
PAGES = [
    "/ui/",
    "/ui/providers",
    "/ui/models",
    "/ui/models?per=200",
    "/ui/models/openai/gpt-4o",
    "/ui/changes",
    "/ui/spend",
    "/ui/propose?model=openai/gpt-4o-mini&capability=chat",
]
# Every ${VAR} of the corpus' provider URLs filled (as bench_import.py does): the whole
# corpus is imported, 5,140 models from 144 providers in the snapshot measured.
VARIABLES = {
    "AZURE_RESOURCE_NAME": "bench", "AZURE_COGNITIVE_SERVICES_RESOURCE_NAME": "bench",
    "CLOUDFLARE_ACCOUNT_ID": "bench", "CLOUDFLARE_GATEWAY_ID": "bench",
    "DATABRICKS_HOST": "bench.example", "GOOGLE_VERTEX_LOCATION": "us-central1",
    "GOOGLE_VERTEX_PROJECT": "bench", "SNOWFLAKE_ACCOUNT": "bench",
    "NEON_AI_GATEWAY_BASE_URL": "https://neon.example",
}  # fmt: skip
TYPE = (
    "const q = document.getElementById('q'); q.value = arguments[0];"
    "q.dispatchEvent(new Event('input', {bubbles: true}));"
)
SEARCHES = ["claude", "gpt-4o", "llama", "mistral", "gemini", "qwen", "deepseek", "o3", "x"]


def run(*args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-m", "regctl", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def fetch(url: str, gz: bool = False) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gz else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.read()


class Serve:
    def __init__(self, manifest: Path, registry: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "regctl", "serve", "--manifest", str(manifest),
             "--registry", str(registry), "--port", str(self.port), "--no-access-log", *args],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(self.url + "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p / 100 * len(ordered)) - 1)]


def server_times(srv: Serve, rounds: int) -> bool:
    ok = True
    print("models page, server answer on loopback (ms; target <= 100):")
    for label, path in MODELS_PAGES.items():
        for _ in range(3):
            fetch(srv.url + path, gz=True)
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            status, _body = fetch(srv.url + path, gz=True)
            times.append((time.perf_counter() - t) * 1000)
            assert status == 200
        med, p95 = statistics.median(times), percentile(times, 95)
        ok &= p95 <= 100
        print(f"  {label:<20} median {med:6.1f}  p95 {p95:6.1f}")
    return ok


def weights(srv: Serve) -> bool:
    _s, home = fetch(srv.url + "/ui/")
    assets = re.findall(rb'(?:href|src)="(/ui/static/[^"]+)"', home)
    asset_bytes = sum(len(fetch(srv.url + a.decode())[1]) for a in assets)
    print(
        f"page weight with its {len(assets)} static files ({asset_bytes:,} B; KB, target <= 100):"
    )
    ok = True
    for path in PAGES:
        _s, raw = fetch(srv.url + path)
        _s, sent = fetch(srv.url + path, gz=True)
        total_sent = (len(sent) + asset_bytes) / 1000
        total_raw = (len(raw) + asset_bytes) / 1000
        ok &= total_sent <= 100
        print(f"  {path:<55} sent {total_sent:6.1f}  raw {total_raw:6.1f}")
    return ok


def browser_filter(srv: Serve, rounds: int) -> bool:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with tempfile.TemporaryDirectory() as profile:
        driver = start_chromium(Path(profile))
        try:
            t = time.perf_counter()
            driver.get(srv.url + "/ui/models")
            load_ms = (time.perf_counter() - t) * 1000
            nav = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return [n.responseEnd - n.requestStart, n.domContentLoadedEventEnd - n.startTime]"
            )
            print(f"models page in Chromium: response {nav[0]:.1f} ms, DOMContentLoaded "
                  f"{nav[1]:.1f} ms, driver.get {load_ms:.0f} ms")  # fmt: skip
            times: list[float] = []
            serial = 0

            def done() -> Any:
                got = driver.execute_script("return document.documentElement.dataset.filterSerial")
                return got is not None and int(got) > serial and got

            for n in range(rounds):
                # what one keystroke does: the field's new text, then its input event
                driver.execute_script(TYPE, SEARCHES[n % len(SEARCHES)] + str(n % 3 or ""))
                serial = int(wait_until(done))
                times.append(float(driver.execute_script(
                    "return document.documentElement.dataset.filterMs")))  # fmt: skip
            select_times = []
            for pid in ["openai", "anthropic", "google", "mistral", ""] * 4:
                Select(driver.find_element(By.ID, "provider")).select_by_value(pid)
                serial = int(wait_until(done))
                select_times.append(float(driver.execute_script(
                    "return document.documentElement.dataset.filterMs")))  # fmt: skip
        finally:
            driver.quit()
    med, p95 = statistics.median(times), percentile(times, 95)
    smed, sp95 = statistics.median(select_times), percentile(select_times, 95)
    print("filter in Chromium (event -> rows in place and laid out; ms, target <= 100):")
    print(f"  search typed         median {med:6.1f}  p95 {p95:6.1f}  ({len(times)} searches)")
    print(
        f"  provider picked      median {smed:6.1f}  p95 {sp95:6.1f}  ({len(select_times)} picks)"
    )
    return p95 <= 100 and sp95 <= 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_cpu(srv: Serve, path: str, seconds: int) -> tuple[float, float]:
    """(requests/s, the server's CPU microseconds per request) of one wrk run."""
    before = cpu_seconds(srv.proc.pid)
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{seconds}s", srv.url + path],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    used = cpu_seconds(srv.proc.pid) - before
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, used / total * 1e6


def api_unchanged(with_ui: Serve, without: Serve, seconds: int, rounds: int = 5) -> bool:
    """The server's CPU per API request with the console mounted and without: throughput
    of two servers measured one after the other swings with the shared machine's load,
    CPU per request much less (as bench_serve.py judges the request limits)."""
    print(f"API with the console mounted vs --no-ui (wrk, best of {rounds} interleaved rounds):")
    ok = True
    for path in ["/v1/providers/openai/models", "/healthz"]:
        on, off = [], []
        for _ in range(rounds):  # interleaved: a load spike on the machine hits both
            on.append(wrk_cpu(with_ui, path, seconds))
            off.append(wrk_cpu(without, path, seconds))
        cpu_on, cpu_off = min(c for _r, c in on), min(c for _r, c in off)
        rps_on, rps_off = max(r for r, _c in on), max(r for r, _c in off)
        ok &= cpu_off / cpu_on >= 0.9
        print(
            f"  {path:<30} CPU/request ui {cpu_on:7.1f} us, no-ui {cpu_off:7.1f} us "
            f"(no-ui/ui {cpu_off / cpu_on:.2f}); req/s ui {rps_on:,.0f}, no-ui {rps_off:,.0f}"
        )
    return ok


def default_corpus() -> Path:
    """``$REGCTL_MODELSDEV_CORPUS``, else ``shared/corpus/models.dev`` beside the
    repository or beside the folder of worktrees it is in."""
    given = os.environ.get("REGCTL_MODELSDEV_CORPUS")
    if given:
        return Path(given)
    for up in (ROOT.parent, ROOT.parent.parent):
        if (up / "shared/corpus/models.dev/providers").is_dir():
            return up / "shared/corpus/models.dev"
    return ROOT.parent / "shared/corpus/models.dev"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--wrk-seconds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated: server,weight,browser,api")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        registry, manifest = Path(tmp) / "registry", Path(tmp) / "manifest.lock.json"
        fill = [a for k, v in VARIABLES.items() for a in ("--var", f"{k}={v}")]
        run("import", "modelsdev", str(args.corpus), "-o", str(registry), *fill)
        run("compile", str(registry), "-o", str(manifest))
        models = len(json.loads(manifest.read_text(encoding="utf-8"))["models"])
        print(f"catalog: models.dev corpus, {models:,} models ({manifest.stat().st_size:,} B lock)")
        srv = Serve(manifest, registry)
        plain = Serve(manifest, registry, "--no-ui")
        try:
            parts = args.only.split(",") if args.only else ["server", "weight", "browser", "api"]
            results = []
            if "server" in parts:
                results.append(server_times(srv, args.rounds))
            if "weight" in parts:
                results.append(weights(srv))
            if "browser" in parts:
                results.append(browser_filter(srv, args.rounds))
            if "api" in parts:
                results.append(api_unchanged(srv, plain, args.wrk_seconds))
        finally:
            srv.stop()
            plain.stop()
    print("PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
