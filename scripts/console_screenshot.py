"""Screenshot of the web console's models page for the README (docs/console-models.png).

Compiles the example registry, serves it with ``regctl serve``, and captures
``/ui/models`` in headless Chromium (scripts/install-test-deps.sh installs it).
Usage: ``python scripts/console_screenshot.py [OUT.png]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.console.browser import start_chromium  # noqa: E402
from tests.nginx_server import free_port  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "console-models.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OPENAI_API_KEY": "sk-example"}
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "manifest.lock.json"
        subprocess.run(
            [sys.executable, "-m", "regctl", "compile", str(ROOT / "registry"),
             "-o", str(manifest)],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "regctl", "serve", "--manifest", str(manifest),
             "--port", str(port), "--no-access-log"],
            env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    with urllib.request.urlopen(url + "/readyz", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            driver = start_chromium(Path(tmp) / "profile")
            try:
                driver.set_window_size(1280, 860)
                driver.get(url + "/ui/models")
                driver.save_screenshot(str(out))
            finally:
                driver.quit()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
