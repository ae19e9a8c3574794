"""The JavaScript manifest reader (clients/js) as surfaces of the hostile suite.

Each drive runs ``loadManifest`` in a fresh ``node`` against the hostile server or file,
and returns the message the app would get. A crash of node (a fatal error, an uncaught
exception) fails the drive, and so does a peak resident size past :data:`NODE_RSS`:
tracemalloc sees only Python's memory, so node reports its own (``maxRSS``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT, require_binary
from tests.hostile.peers import HostilePeer
from tests.hostile.surfaces import Place, T, surface

INDEX = (ROOT / "clients" / "js" / "src" / "index.js").as_uri()
#: The reader's files that do I/O (the meta-test checks this list against the source).
JS_IO = ("clients/js/src/index.js",)
#: Peak resident memory node may reach: the body cap is 256 MiB (chunks, then one copy).
NODE_RSS = 700 << 20

_SCRIPT = """
import { readFileSync } from "node:fs";
import { loadManifest } from %s;
// This process's own peak: VmHWM starts again at exec, while getrusage's maxRSS keeps
// the peak of the (large) pytest process that forked node on Linux.
function peak() {
  try {
    const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}
let out;
try {
  const reg = await loadManifest(process.argv[1], { timeoutMs: %d });
  out = { message: "", digest: reg.digest };
} catch (err) {
  if (!(err && typeof err.code === "string")) throw err;  // not a reader error: a crash
  out = { message: err.message, code: err.code };
}
out.maxRSS = peak();
console.log(JSON.stringify(out));
"""


def _node_load(source: str) -> str:
    script = _SCRIPT % (json.dumps(INDEX), int(T * 1000))
    done = subprocess.run(
        [require_binary("node"), "--input-type=module", "-e", script, "--", source],
        capture_output=True,
        text=True,
        timeout=T + 20,
    )
    assert done.returncode == 0, f"node crashed: {done.stderr[-1500:]}"
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["maxRSS"] < NODE_RSS, f"node peaked at {out['maxRSS'] >> 20} MiB"
    return str(out["message"])


@surface("js.http", "peer", *JS_IO, slack=5.0)
def _js_http(peer: HostilePeer, tmp: Path) -> str:
    return _node_load(f"{peer.origin}/m.json")


@surface("js.manifest-file", "file", *JS_IO, slack=5.0)
def _js_file(place: Place, tmp: Path) -> str:
    path = tmp / "manifest.lock.json"
    place(path)
    return _node_load(str(path))
