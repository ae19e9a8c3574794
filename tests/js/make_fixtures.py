"""Manifests for the JavaScript reader's tests, made by the Python side at test time.

Every manifest comes from the real compiler (or is re-sealed with
``regctl.base.canonical.seal``, which the compiler uses), and every expected answer comes
from the Python client, so the JavaScript tests track whatever the Python side does
today (digest rules included). Run ``python -m tests.js.make_fixtures DIR`` to make them
by hand.
"""

from __future__ import annotations

import json
import random
import struct
import sys
from pathlib import Path
from typing import Any

from tests.conftest import EXAMPLE, run_cli

from regctl.base.canonical import dumps_compact, dumps_pretty, seal
from regctl.client import ClientError, Registry

FLOATS = [
    0.0, -0.0, 0.1, 0.5, 1.0, 10.0, 2.5, 1e-05, 0.0001, 1e16, 1e15, 123456789012345.6,
    1234567890123456.7, 1.5e300, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
    -3.75, 100000.0, 0.3, 2 / 3, 1e22, 1e21, 9007199254740993.0,
]  # fmt: skip


LOCALES = ["fa", "fa-IR", "fa_IR.UTF-8", "en", "en-US", "pt-BR", "pt_br", "pt", "de", None]


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except ClientError as exc:
        return {"error": type(exc).__name__}


def _verdict(path: Path, expect: str | None = None) -> str:
    try:
        Registry.load(path, expect_digest=expect)
    except ClientError as exc:
        return type(exc).__name__
    return "ok"


def _queries(reg: Registry) -> dict[str, Any]:
    """What the Python client answers; the JavaScript reader must answer the same."""
    caps = sorted(reg.capabilities)
    providers = sorted(reg.providers)
    active = [
        [p, c, _outcome(lambda p=p, c=c: (m := reg.active_model(p, c)) and m.key)]
        for p in [*providers, "no-such-provider"]
        for c in [*caps, "no-such-capability"]
    ]
    filters: list[dict[str, Any]] = [
        {},
        {"provider": providers[0]},
        {"capability": "chat", "active": True},
        {"active": False},
        {"capability": "embedding"},
        {"provider": "nope"},
        {"capability": "nope"},
    ]
    models = [[f, _outcome(lambda f=f: [m.key for m in reg.models(**f)])] for f in filters]
    asks: list[dict[str, Any]] = [{}]
    asks += [{"capability": c} for c in caps]
    asks += [{"provider": p} for p in providers]
    asks += [{"provider": p, "fallback": False} for p in providers]
    asks += [{"template": t} for t in sorted(reg.templates)]
    asks += [{"template": t, "params": {"temperature": 0.25}} for t in sorted(reg.templates)]
    asks += [{"model": m.key} for m in reg.models()]
    asks += [{"model": "nope/nope"}, {"template": "nope"}, {"provider": "nope"}]
    asks += [{"capability": "nope"}, {"model": "gpt-4o", "provider": "openai"}]
    resolve = [[a, _outcome(lambda a=a: reg.resolve(**a).as_dict())] for a in asks]
    return {
        "digest": reg.digest,
        "environment": reg.environment,
        "capabilities": caps,
        "active": active,
        "models": models,
        "resolve": resolve,
        "entries": {m.key: m.as_dict() for m in reg.models()},
        "names": {
            m.key: [[loc, m.display_name_for(loc)] for loc in LOCALES]
            for m in reg.models()
            if m.display_names
        },
    }


def _unicode_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """Non-ASCII text, escapes, astral characters and floats in awkward places."""
    body = json.loads(json.dumps(doc))
    m = body["models"]["openai/gpt-4o"]
    m["display_name"] = "GPT-4o"
    m["display_names"] = {"en": "GPT-4o", "fa": "جی‌پی‌تی ۴o 🚀", "pt-BR": "GPT-4o (BR)"}
    m["description"] = 'quote " backslash \\ newline \n tab \t ctl \u0001 del \x7f ls \u2028 ¶'
    m["labels"] = {"z": "1", "é": "2", "\ue000": "3", "😀": "4", "Z": "5", "": "6"}
    m["pricing"] = {
        "currency": "USD",
        "input_per_mtok": 1e-05,
        "output_per_mtok": 1e16,
        "cached_input_per_mtok": 0.1,
    }
    body["x-numbers"] = {"floats": FLOATS, "ints": [0, -1, 2**53 + 1, 10**30, -(10**25)]}
    body["providers"]["openai"]["display_name"] = "اوپن‌ای‌آی"
    return seal(body)


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(dumps_pretty(doc), encoding="utf-8")
    return path


def build(out: Path) -> dict[str, Any]:
    """Write the manifests into ``out`` and return ``cases.json``'s content (also written)."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, env in [("example.json", None), ("example-dev.json", "dev")]:
        args = ["compile", str(EXAMPLE), "-o", str(out / name)]
        done = run_cli(*args, *(["--env", env] if env else []))
        assert done.returncode == 0, done.stderr
        files[name] = out / name
    doc = json.loads(files["example.json"].read_text(encoding="utf-8"))
    uni = _unicode_doc(doc)
    files["unicode.json"] = _write(out / "unicode.json", uni)
    # The same document in another writer's formatting: unsorted keys, \u escapes,
    # four-space indent, and number literals Python would write differently.
    body = dict(reversed(list(uni.items())))
    text = json.dumps(body, indent=4, ensure_ascii=True)
    text = text.replace("100000.0", "1.0E5", 1).replace(
        '"ints": [\n            0,', '"ints": [\n            -0,', 1
    )
    assert "1.0E5" in text and "-0," in text
    (out / "reformatted.json").write_text(text, encoding="ascii")
    files["reformatted.json"] = out / "reformatted.json"

    pretty = files["example.json"].read_text(encoding="utf-8")
    tampered: dict[str, bytes] = {
        "price-changed.json": pretty.replace(
            '"input_per_mtok": 2.5', '"input_per_mtok": 2.6', 1
        ).encode(),
        "truncated.json": pretty[: len(pretty) // 2].encode(),
        "not-utf8.json": pretty.replace("GPT-4o", "GPT-4o\udcff", 1).encode(
            "utf-8", "surrogateescape"
        ),
        "digest-zeroed.json": pretty.replace(doc["digest"], "sha256:" + "0" * 64).encode(),
        "digest-md5.json": pretty.replace(doc["digest"], "md5:" + "0" * 32).encode(),
        "commit-changed.json": pretty.replace(
            doc["source"]["commit"] or "null", "f" * 40, 1
        ).encode()
        if doc["source"].get("commit")
        else pretty.replace('"commit": null', '"commit": "' + "f" * 40 + '"').encode(),
        "unicode-changed.json": (out / "unicode.json")
        .read_text(encoding="utf-8")
        .replace("۴", "۵", 1)
        .encode(),
        "model-added.json": pretty.replace(
            '"models": {',
            '"models": {\n    "openai/evil": {"id": "evil", "provider": "openai"},',
            1,
        ).encode(),
    }
    resealed = {
        "api-v2.json": {**doc, "apiVersion": "regctl/v2"},
        "kind-other.json": {**doc, "kind": "Plan"},
        "no-models.json": {k: v for k, v in doc.items() if k != "models"},
        "active-unknown-provider.json": {
            **doc,
            "active": {**doc["active"], "ghost": {"chat": "ghost/x"}},
        },
        "no-capabilities.json": {**doc, "registry": {**doc["registry"], "capabilities": []}},
    }
    for name, data in tampered.items():
        (out / name).write_bytes(data)
    for name, bad in resealed.items():
        _write(out / name, seal(bad))
    names = [*files, *tampered, *resealed]
    cases: dict[str, Any] = {
        "manifests": [{"file": n, "verdict": _verdict(out / n)} for n in names],
        "expect_digest": [
            {"file": "example.json", "expect": doc["digest"], "verdict": "ok"},
            {
                "file": "example.json",
                "expect": uni["digest"],
                "verdict": _verdict(files["example.json"], uni["digest"]),
            },
            {
                "file": "example.json",
                "expect": "sha256:short",
                "verdict": _verdict(files["example.json"], "sha256:short"),
            },
        ],
        "queries": {n: _queries(Registry.load(files[n])) for n in files},
        "compact": {
            n: dumps_compact(
                {k: v for k, v in json.loads(files[n].read_bytes()).items() if k != "digest"}
            )
            for n in ("example.json", "unicode.json")
        },
        "floats": _float_cases(),
    }
    assert all(c["verdict"] == "ok" for c in cases["manifests"] if c["file"] in files)
    (out / "cases.json").write_text(
        json.dumps(cases, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return cases


def _float_cases() -> list[list[Any]]:
    """(JSON literal, Python's json.dumps of json.loads of it) for edge and random doubles."""
    rng = random.Random(15)
    values = list(FLOATS)
    for _ in range(3000):
        (x,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if x == x and abs(x) != float("inf"):
            values.append(x)
    values += [rng.uniform(-1e6, 1e6) for _ in range(1000)]
    values += [round(rng.uniform(0, 100), rng.randint(0, 6)) for _ in range(1000)]
    cases = [[json.dumps(v), json.dumps(v)] for v in values]
    # Literals another writer might use: Python reads them and writes its own form.
    # (1e400 is refused by both readers: tests/js/test_js_hostile.py.)
    for lit in ["1E5", "1.0e+5", "-0", "-0.0", "0e0", "0.1000", "1e-400"]:
        cases.append([lit, json.dumps(json.loads(lit))])
    return cases


if __name__ == "__main__":
    build(Path(sys.argv[1]))
