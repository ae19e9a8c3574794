"""Ask the seed (a real Django project, tests/interop/django_seed) and regctl the same
questions: helpers of test_django_oracle.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from regctl.client import Registry
from regctl.client.errors import NoCredentials, ResolutionError
from regctl.client.render import RenderError
from regctl.client.secrets import resolve_secret

SEED_DIR = Path(__file__).parent / "django_seed"


def manage(db: Path, seed: str, *args: str) -> str:
    """Run ``manage.py`` of the oracle project on ``db`` with seed app ``seed``."""
    env = {**os.environ, "ORACLE_DB": str(db), "ORACLE_SEED": seed, "PYTHONPATH": str(SEED_DIR)}
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=SEED_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def build(db: Path, seed: str, *, edges: bool) -> None:
    """A fresh database with the seed command's data (and the later edits)."""
    manage(db, seed, "migrate", "--run-syncdb", "-v", "0")
    manage(db, seed, "seed_ai", "--app", seed)
    if edges:
        manage(db, seed, "seed_ai", "--app", seed, "--edges")


def dump(db: Path, seed: str, out: Path) -> Path:
    out.write_text(manage(db, seed, "dumpdata", seed, "auth", "contenttypes", "--indent", "1"))
    return out


def answers(db: Path, seed: str) -> list[dict[str, Any]]:
    """Every query with the seed's own answer (oracle/management/commands/oracle_answers.py)."""
    data: list[dict[str, Any]] = json.loads(manage(db, seed, "oracle_answers", "--app", seed))[
        "queries"
    ]
    return data


def stored_keys(dump_file: Path, seed: str) -> dict[str, dict[Any, str]]:
    """The plaintext keys in the dump: shared by provider pk, personal by (user, provider)."""
    rows = json.loads(dump_file.read_text())
    shared = {r["pk"]: r["fields"]["api_key"] for r in rows if r["model"] == f"{seed}.aiprovider"}
    personal = {
        (r["fields"]["user"], r["fields"]["provider"]): r["fields"]["api_key"]
        for r in rows
        if r["model"] == f"{seed}.userapikey"
    }
    return {"shared": shared, "personal": personal}


def regctl_answer(
    reg: Registry, q: dict[str, Any], ids: dict[str, str], personal_refs: dict[Any, str]
) -> Any:
    """regctl's answer to one query, in the form the seed's answer takes (keys: regctl's)."""
    kind = q["kind"]
    pid = ids.get(q.get("provider", ""), q.get("provider"))
    try:
        if kind == "active":
            cap = q["capability"]
            if cap not in reg.capabilities:
                return None
            if reg.provider(pid).enabled:
                m = reg.active_model(pid, cap)
                return m.key if m is not None else None
            # Nothing resolves to a disabled provider; its models still say what is active.
            found = reg.models(provider=pid, capability=cap, active=True)
            return found[0].key if found else None
        if kind == "service":
            return reg.resolve(q["capability"], provider=pid, fallback=False).model.key
        if kind == "default":
            return reg.resolve(q["capability"]).model.key
        if kind == "template":
            return reg.resolve(template=q["template"]).model.key
        if kind == "explicit":
            return reg.resolve(q["capability"], provider=pid, model=q["model"]).model.key
        if kind == "render":
            rendered = reg.render(q["template"], **q["values"])
            texts = {m["role"]: m["content"] for m in rendered.messages}
            return {"system": texts.get("system", ""), "user": texts.get("user", "")}
        if kind == "key":
            ref = personal_refs.get((q["user"], pid))
            own = resolve_secret(ref) if ref else None
            groups = [*q["user_groups"], f"user:{q['user']}"] if q["user_active"] else []
            try:
                key = reg.provider(pid).api_key(personal=own, group=groups)
            except NoCredentials:
                return None
            source = "personal" if key.source in ("personal", ref) else "shared"
            return {"source": source, "key": key.get_secret_value()}
    except (ResolutionError, RenderError):
        return None
    raise AssertionError(kind)


def expected(q: dict[str, Any], ids: dict[str, str]) -> Any:
    """The seed's answer with its model named by regctl's key."""
    ans = q["answer"]
    if q["kind"] in ("render", "key") or ans is None:
        return ans
    return f"{ids[ans['provider']]}/{ans['model']}"
