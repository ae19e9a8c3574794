"""The conformance cases (conformance/cases/*.json): loading, compiling, comparing.

Each reader's runner turns its own output into one *answer* shape and :func:`check`
holds it to the case's ``expect`` (conformance/README.md says what each key means).
A reader that cannot express a case fails it: there is no skip list.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import EXAMPLE, ROOT, run_cli

CONFORMANCE = ROOT / "conformance"
#: Key references the registries name: cleared from every runner's environment, so the
#: machine's own variables never change an answer.
KEY_VARS = ("ALPHA_KEY_PRIMARY", "ALPHA_KEY", "BETA_KEY", "GAMMA_KEY", "DELTA_KEY",
            "EPSILON_KEY", "COHERE_KEY")  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One question and its expected answer."""

    file: str
    registry: str
    env: str | None
    name: str
    ask: str
    query: dict[str, Any]
    expect: dict[str, Any]
    lang: str = "en"
    message: str | None = None
    warning_messages: list[str] | None = None
    keys_env: dict[str, str] = field(default_factory=dict)
    #: ``load`` cases: how the bad manifest is made from the compiled one.
    bad_manifest: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"


def load_cases() -> list[Case]:
    """Every case of every file, with the file's ``today`` in each query."""
    cases = []
    for path in sorted((CONFORMANCE / "cases").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for raw in doc["cases"]:
            query = dict(raw["query"])
            if raw["ask"] in ("resolve", "candidates"):
                query.setdefault("today", doc["today"])
            cases.append(
                Case(
                    file=path.stem,
                    registry=doc["registry"],
                    env=doc["env"],
                    name=raw["name"],
                    ask=raw["ask"],
                    query=query,
                    expect=raw["expect"],
                    lang=raw.get("lang", "en"),
                    message=raw.get("message"),
                    warning_messages=raw.get("warning_messages"),
                    keys_env=raw.get("env", {}),
                    bad_manifest=raw.get("bad_manifest"),
                )
            )
    return cases


def registry_dir(name: str) -> Path:
    """``@example`` is the repository's example registry; other names live in conformance/."""
    return EXAMPLE if name == "@example" else CONFORMANCE / "registries" / name


def compile_all(cases: list[Case], out: Path) -> dict[tuple[str, str | None], Path]:
    """Each (registry, environment) the cases ask about, compiled by the real CLI."""
    today = {}
    for path in sorted((CONFORMANCE / "cases").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        today[(doc["registry"], doc["env"])] = doc["today"]
    manifests = {}
    for registry, env in sorted({(c.registry, c.env) for c in cases}, key=str):
        target = out / f"{registry.strip('@')}-{env or 'base'}.lock.json"
        args = ["compile", str(registry_dir(registry)), "-o", str(target)]
        args += ["--as-of", today[(registry, env)]]
        done = run_cli(*args, *(["--env", env] if env else []))
        assert done.returncode == 0, done.stderr
        manifests[(registry, env)] = target
    return manifests


def resolved_answer(d: dict[str, Any]) -> dict[str, Any]:
    """The answer shape of a resolved model (``Resolved.as_dict()`` and its twins)."""
    return {
        "model": d["model"],
        "via": d["via"],
        "params": d["params"],
        "capability": d["capability"],
        "template": d["template"],
        "warnings": [w["code"] for w in d["warnings"]],
        "warning_messages": [w["message"] for w in d["warnings"]],
    }


def candidates_answer(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"candidates": [[d["model"], d["via"]] for d in items]}


def check(case: Case, got: dict[str, Any], *, reader: str) -> None:
    """Assert ``got`` (a reader's answer) is the case's expected answer."""
    want = case.expect
    where = f"[{reader}] {case.id}: got {got!r}"
    if "error" in want:
        assert got.get("error") == want["error"], where
    else:
        assert "error" not in got, where
    for key, value in want.items():
        if key != "error":
            assert got.get(key) == value, f"{where}; {key} should be {value!r}"
    if case.ask == "resolve" and "error" not in want:
        # Unexpected warnings fail too: an answer is its warnings as well.
        assert got.get("warnings") == want.get("warnings", []), where
    if case.message is not None:
        assert got.get("message") == case.message, where
    if case.warning_messages is not None:
        assert got.get("warning_messages") == case.warning_messages, where


def manifest_of(case: Case, manifests: dict[tuple[str, str | None], Path]) -> Path:
    """The manifest file a reader is given for ``case``: the compiled one, or for a
    ``load`` case the bad manifest its ``bad_manifest`` makes from it (written once,
    beside the compiled one, the same bytes for every reader)."""
    good = manifests[(case.registry, case.env)]
    spec = case.bad_manifest
    if spec is None:
        return good
    slug = re.sub(r"[^a-z0-9]+", "-", f"{case.file}-{case.name}".lower()).strip("-")
    path = good.parent / f"bad-{slug}.json"
    if "hex" in spec:
        data = bytes.fromhex(spec["hex"])
    elif "text" in spec:
        data = spec["text"].encode("utf-8")
    else:
        from regctl.base.canonical import compute_digest

        doc = json.loads(good.read_bytes())
        doc.update(spec.get("set", {}))
        if spec.get("rehash"):
            doc["digest"] = compute_digest(doc)
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    path.write_bytes(data)
    return path


def for_reader(case: Case, path: Path) -> Case:
    """``case`` with its message's placeholders filled: ``{manifest}`` (the path the reader
    was given), ``{recorded}`` and ``{actual}`` (the digest the file records and the one
    its content hashes to; conformance/README.md, "Loading")."""
    if case.message is None or case.bad_manifest is None:
        return case
    values = {"manifest": str(path)}
    if "set" in case.bad_manifest:
        from regctl.base.canonical import compute_digest

        doc = json.loads(path.read_bytes())
        values |= {"recorded": doc["digest"], "actual": compute_digest(doc)}
    message = case.message
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return dataclasses.replace(case, message=message)
