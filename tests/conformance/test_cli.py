"""The CLI (`regctl resolve`, `candidates`, `models`, `doctor`) runs every conformance case,
each in a fresh process as a user or a script would run it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from tests.conformance.conftest import CASES
from tests.conformance.contract import (
    KEY_VARS,
    Case,
    candidates_answer,
    check,
    for_reader,
    manifest_of,
    resolved_answer,
)
from tests.conftest import run_cli

from regctl.base import i18n


def _value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v


def query_args(q: dict[str, Any]) -> list[str]:
    """The command-line spelling of a query (docs/resolution.md, "Inputs")."""
    flags = {"capability": "-c", "provider": "-p", "model": "-m", "template": "-t",
             "prefer": "--prefer", "scope": "--scope", "today": "--as-of"}  # fmt: skip
    args: list[str] = []
    for name, value in q.items():
        if name in flags:
            args += [flags[name], str(value)]
        elif name == "fallback":
            args.append("--fallback" if value else "--no-fallback")
        elif name == "strict":
            args += ["--strict"] if value else []
        elif name == "params":
            args += [a for k, v in value.items() for a in ("--param", f"{k}={_value(v)}")]
        elif name == "needs":
            args += [a for k, v in value.items() for a in ("--need", f"{k}={_value(v)}")]
        else:
            raise AssertionError(f"no command-line spelling for {name!r}")
    return args


def _said(stderr: str, lang: str) -> tuple[str | None, list[str]]:
    """The error line and the warning lines of stderr, without their (translated) prefix."""
    _, tr = i18n.catalog(lang)
    error, warning = str(tr.gettext("error")), str(tr.gettext("warning"))
    message, warnings = None, []
    for line in stderr.splitlines():
        head, _, rest = line.partition(": ")
        if head == error:
            message = rest
        elif head == warning:
            warnings.append(rest)
    return message, warnings


def answer(case: Case, manifest: Path) -> dict[str, Any]:
    q = dict(case.query)
    env = {name: "" for name in KEY_VARS}
    lang = ["--lang", case.lang]
    if case.ask == "load":
        # Any command that reads the manifest: the code on stdout, the message on stderr.
        done = run_cli(*lang, "resolve", "--manifest", str(manifest), env=env)
        if done.returncode == 0:
            return {"loaded": True}
        assert done.returncode == 4, done.stderr
        out = json.loads(done.stdout)
        return {"error": out["error"]["code"], "message": _said(done.stderr, case.lang)[0]}
    if case.ask in ("resolve", "candidates"):
        done = run_cli(*lang, case.ask, "--manifest", str(manifest), *query_args(q), env=env)
        out = json.loads(done.stdout)
        message, warnings = _said(done.stderr, case.lang)
        if done.returncode != 0:
            assert isinstance(out, dict) and "error" in out, done.stderr
            return {"error": out["error"]["code"], "message": message}
        if case.ask == "candidates":
            return candidates_answer(out)
        got = resolved_answer(out)
        got["warning_messages"] = warnings  # what a person reads: stderr, in their language
        return got
    if case.ask == "active":
        args = [q["provider"], "-c", q["capability"]]
        done = run_cli(*lang, "active", "--manifest", str(manifest), *args)
        out = json.loads(done.stdout)
        return {"error": out["error"]["code"]} if done.returncode != 0 else {"model": out["key"]}
    if case.ask == "models":
        args = ["-p", q["provider"]] if q.get("provider") else []
        args += ["-c", q["capability"]] if q.get("capability") else []
        active = q.get("active")
        args += [] if active is None else ["--active" if active else "--inactive"]
        done = run_cli(*lang, "models", "--manifest", str(manifest), "--format", "json", *args)
        out = json.loads(done.stdout)
        if done.returncode != 0:
            return {"error": out["error"]["code"]}
        return {"models": [m["key"] for m in out]}
    if case.ask == "key":
        caller = ["--personal", q["provider"]] if q["personal"] else []
        group = q.get("group", [])
        for name in [group] if isinstance(group, str) else group:
            caller += ["--group", name]
        env.update(case.keys_env)
        full = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
        done = run_cli(
            "doctor", "--manifest", str(manifest), "--format", "json", *caller,
            env={**full, **env},
        )  # fmt: skip
        out = json.loads(done.stdout)
        # One row per provider, or one per credential reference in chain order: the key
        # is the first that resolves; none resolving is no_credentials (the contract).
        rows = [
            r for r in out.get("checks", out.get("providers", [])) if r["provider"] == q["provider"]
        ]
        got = {"shared": rows[0]["shared"]}
        for row in rows:
            if "source" in row:
                return got | {"source": row["source"]}
        refused = [r["detail"] for r in rows if "code" in r]
        return got | {"error": "no_credentials"} | ({"message": refused[0]} if refused else {})
    raise AssertionError(f"unknown ask {case.ask!r}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli(case: Case, manifests: dict[tuple[str, str | None], Path]) -> None:
    path = manifest_of(case, manifests)
    check(for_reader(case, path), answer(case, path), reader="cli")
