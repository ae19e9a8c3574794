"""Raw reads stay inside the bounded I/O layer: enforced, not remembered.

An AST walk over ``src/regctl`` (``iowalk.raw_calls``) finds every ``open()``,
``.read()``, ``.readline()``, ``Path.read_text()``/``read_bytes()``, ``urlopen`` and
``fdopen`` outside ``regctl.io``. Each must be in :data:`ALLOWED` with the reason it
is safe; a new one fails this test (read through :mod:`regctl.io.safeio`, or add it
here with its reason and to docs/security.md). The import-linter contract
``io-boundary`` (pyproject.toml) does the same for network modules.
"""

from __future__ import annotations

from tests.hostile import iowalk

#: Calls on these receivers are the layer's own API (``safeio.read_text(...)``), or an
#: object's own method (``self.read()``: a target re-reading itself).
LAYER_RECEIVERS = frozenset({"safeio", "safehttp", "fsutil", "self"})

_TARGET_READ = "Target.read(): the deploy target's own read, bounded by the layer"

#: (module, enclosing function, call) -> why this raw call is safe.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("regctl.authoring.init", "_walk", "read_text"): (
        "regctl's own scaffold files, from the installed package (importlib.resources)"
    ),
    ("regctl.console.web", "_asset", "read_bytes"): (
        "the console's own CSS and JavaScript, from the installed package (importlib.resources)"
    ),
    ("regctl.cli.deploy", "apply_cmd", "read"): _TARGET_READ,
    ("regctl.cli.deploy", "rollback", "read"): _TARGET_READ,
    ("regctl.deploy.apply", "plan_for", "read"): _TARGET_READ,
    ("regctl.client._fetch", "fetch_etcd", "read"): (
        "_etcd.Gateway.read(): the etcd read, through safehttp with one deadline"
    ),
    ("regctl.client._watch", "_events", "open"): (
        "io.stream.Stream.open(): the layer's streamed exchange (etcd's watch)"
    ),
    ("regctl.deploy.targets.file", "FileTarget.lock", "open"): (
        "the apply lock file, opened O_RDWR for flock and never read"
    ),
    ("regctl.deploy.targets.s3", "_body", "read"): (
        "botocore's StreamingBody over bytes safehttp already read under the cap"
    ),
    ("regctl.deploy.targets.s3_wire", "Wire.send", "read"): (
        "botocore's request body: the bytes regctl itself is sending"
    ),
    ("regctl.pipeline.source", "load_registry", "read_bytes"): (
        "pipeline.source.read_bytes(): its own wrapper of safeio.read_regular"
    ),
    ("regctl.serve.runner", "serve", "fdopen"): (
        "its own stderr descriptor, for the access log (an output)"
    ),
    ("regctl.interop.django_source", "read_database", "fdopen"): (
        "writes the private mkstemp copy of a database safeio already read under the cap "
        "(an output; SQLite then opens the copy read-only)"
    ),
    ("regctl.client.usage_jsonl", "JsonlSink._open", "open"): (
        "the usage log opened for appending without blocking, type checked after opening"
    ),
    ("regctl.client.usage_jsonl", "JsonlSink._rotate", "open"): (
        "the rotation lock file (a writer, never read)"
    ),
}


def _outside_the_layer() -> list[iowalk.RawCall]:
    return [
        c
        for module, tree in iowalk.trees().items()
        if not module.startswith("regctl.io.")
        for c in iowalk.raw_calls(module, tree)
        if c.receiver not in LAYER_RECEIVERS
    ]


def test_no_raw_read_outside_the_layer_without_a_reason() -> None:
    new = [
        f"{c.module}:{c.line} {c.function}: {c.receiver + '.' if c.receiver else ''}{c.call}()"
        for c in _outside_the_layer()
        if (c.module, c.function, c.call) not in ALLOWED
    ]
    assert not new, (
        "raw reads outside regctl.io (read through regctl.io.safeio, or list the call in "
        f"tests/hostile/test_io_boundary.py ALLOWED with its reason): {new}"
    )


def test_the_allow_list_holds_no_stale_entry() -> None:
    found = {(c.module, c.function, c.call) for c in _outside_the_layer()}
    stale = [key for key in ALLOWED if key not in found]
    assert not stale, f"no such call any more, remove it from ALLOWED: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_walk_finds_what_it_looks_for() -> None:
    import ast

    tree = ast.parse(
        "def f(p):\n    open(p)\n    p.read_text()\n    self.read()\n"
        "class C:\n    def g(self, s):\n        return s.readline()\n"
    )
    got = {(c.function, c.call, c.receiver) for c in iowalk.raw_calls("m", tree)}
    assert got == {
        ("f", "open", ""),
        ("f", "read_text", "p"),
        ("f", "read", "self"),
        ("C.g", "readline", "s"),
    }


def _module_path(module: str) -> str:
    """``regctl.deploy.targets.s3`` -> ``deploy/targets/s3.py`` (as docs/security.md names it)."""
    return module.removeprefix("regctl.").replace(".", "/") + ".py"


def test_security_md_lists_every_exception() -> None:
    """docs/security.md's "I/O exceptions" names every module this file allows a raw
    call in and every module the io-boundary contract lets import a network module
    outside the layer: the page an operator reads cannot fall behind the lists."""
    import re

    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = doc.split("## I/O exceptions", 1)[1].split("\n## ", 1)[0]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    contract = pyproject.split('id = "io-boundary"', 1)[1].split("[[tool.importlinter", 1)[0]
    importers = set(re.findall(r'"(regctl\.[\w.]+) -> \w+"', contract))
    modules = {m for m, _, _ in ALLOWED} | {m for m in importers if not m.startswith("regctl.io.")}
    assert importers, "no ignore_imports found in the io-boundary contract"
    missing = sorted(m for m in modules if _module_path(m) not in section)
    assert not missing, f"docs/security.md 'I/O exceptions' does not name: {missing}"
