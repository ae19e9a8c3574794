"""Meta-test: every module that does I/O is driven by a surface of the hostile suite.

``iowalk.io_modules()`` finds the modules that do I/O from their syntax trees. Each
must be named by a surface in ``surfaces.SURFACES`` (``modules=``), or be listed
below with the reason it is not a surface of its own. A new reader or writer that
joins neither list fails this test: add it to the surface table (README.md).
"""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.hostile import iowalk
from tests.hostile.surfaces import SURFACES

#: Modules that do I/O but are no input surface, each with the reason.
NOT_SURFACES: dict[str, str] = {
    "regctl.cli.reference": "compares regctl's own generated reference docs (developer command)",
    "regctl.cli.spine": "compares regctl's own generated docs in the checkout (developer command)",
    "regctl.cli.deploy": "writes the plan file with fsutil.atomic_write (a rename: whatever sat "
    "at the path is replaced, never opened); its .read() calls are the targets' read()",
    "regctl.cli.export_configmap": "writes its output with fsutil.atomic_write (a rename)",
    "regctl.interop.writer": "writes imported registries with fsutil.atomic_write (a rename)",
    "regctl.serve.runner": "fdopen of its own stderr for the access log (an output); its "
    "listening socket (regctl.io.listen) is the client family's surface serve.http",
}

#: Surfaces still to be added by the work named (issue 20); an entry here is a known gap.
PENDING: dict[str, str] = {}


def covered() -> set[str]:
    return {m for s in SURFACES.values() for m in s.modules}


def test_every_module_doing_io_has_a_surface() -> None:
    found = iowalk.io_modules()
    missing = {
        m: why
        for m, why in found.items()
        if m not in covered() and m not in NOT_SURFACES and m not in PENDING
    }
    assert not missing, (
        "modules doing I/O with no surface in tests/hostile/surfaces.py "
        f"(add one, see tests/hostile/README.md): {missing}"
    )


def test_lists_hold_no_stale_entry() -> None:
    found = iowalk.io_modules()
    stale = [m for m in (*NOT_SURFACES, *PENDING) if m not in found]
    assert not stale, f"not doing I/O any more, remove from the lists: {stale}"
    done = [m for m in PENDING if m in covered()]
    assert not done, f"covered by a surface now, remove from PENDING: {done}"
    unknown = [
        m
        for s in SURFACES.values()
        for m in s.modules
        if m not in iowalk.trees() and not (m.startswith("clients/") and (ROOT / m).is_file())
    ]
    assert not unknown, f"surfaces name modules that do not exist: {unknown}"


def test_every_javascript_file_doing_io_has_a_surface() -> None:
    """The JavaScript reader's files are named by path; one that fetches or opens files
    and is named by no surface fails (a grep, as iowalk is for Python's syntax trees)."""
    io = re.compile(r"\bfetch\(|node:fs|node:net|node:http|XMLHttpRequest|WebSocket")
    found = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "clients" / "js" / "src").glob("*.js")
        if io.search(p.read_text(encoding="utf-8"))
    }
    assert found and found <= covered(), found - covered()


def test_every_family_has_surfaces_and_every_surface_a_module() -> None:
    assert {s.family for s in SURFACES.values()} >= {"peer", "file", "client"}
    assert all(s.modules for s in SURFACES.values())
