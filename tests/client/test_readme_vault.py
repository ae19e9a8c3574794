"""The README's Vault example, run as written against a real OpenBao with TLS.

Its four blocks in order: the operator's commands (``vault`` is OpenBao's ``bao``, the
same CLI), the registry's reference, the app's environment and ``regctl doctor`` (the
line its comment shows), and the app's Python with the 401 path. Only what a reader
must fill in is substituted: the server's address, its CA file, the AppRole ids that
the operator's commands printed. The "provider" the Python calls is a stand-in
``openai`` module that accepts only the key Vault holds now: rotating the key in Vault
makes the app's first call fail with 401 and its retry succeed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from client_fixtures import base_doc, write_manifest
from tests.conftest import ROOT, require_binary
from tests.secret_stores import ROOT_TOKEN, Bao, openbao

from regctl.client.secrets import clear_cache

KEY, ROTATED = "sk-readme-FIRST-1a2b3c4d", "sk-readme-ROTATED-5e6f7a8b"


def _blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Keys: env, files, Vault", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def _shims(bin_dir: Path) -> None:
    bin_dir.mkdir()
    shims = {
        "vault": f'exec {require_binary("bao")} "$@"',
        "regctl": f'exec {sys.executable} -m regctl "$@"',
    }
    for name, line in shims.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{line}\n")
        (bin_dir / name).chmod(0o755)


def _fake_openai(bao: Bao) -> types.ModuleType:
    """``openai`` as far as the README uses it; a call needs the key Vault holds now."""
    module = types.ModuleType("openai")

    class AuthenticationError(Exception):
        pass

    class _Completions:
        def __init__(self, key: str) -> None:
            self.key = key

        def create(self, **kwargs: Any) -> str:
            held = bao.api("GET", "secret/data/llm/openai")["data"]["data"]["api_key"]
            if self.key != held:
                raise AuthenticationError("401 Incorrect API key provided")
            return f"reply from {kwargs['model']}"

    class OpenAI:
        def __init__(self, api_key: str, base_url: str | None = None) -> None:
            self.chat = types.SimpleNamespace(completions=_Completions(api_key))

    module.OpenAI = OpenAI  # type: ignore[attr-defined]
    module.AuthenticationError = AuthenticationError  # type: ignore[attr-defined]
    return module


def test_readme_vault_example_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_env: pytest.MonkeyPatch
) -> None:
    blocks = _blocks()
    assert [lang for lang, _ in blocks] == ["bash", "yaml", "bash", "python"]
    (_, operator), (_, registry_yaml), (_, app_shell), (_, app_python) = blocks
    bin_dir = tmp_path / "bin"
    _shims(bin_dir)
    with openbao(tmp_path / "bao", tls=True) as bao:
        assert bao.cacert is not None
        base = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_", "AWS_"))}
        home = tmp_path / "home"  # made empty by store_env
        env = base | {
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "HOME": str(home),
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        # 1. the operator, with an admin token
        admin = env | {
            "VAULT_ADDR": bao.addr,
            "VAULT_CACERT": str(bao.cacert),
            "VAULT_TOKEN": ROOT_TOKEN,
            "OPENAI_KEY": KEY,
        }
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", operator],
            env=admin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        role_id, secret_id = (
            subprocess.run(
                ["vault", *argv],
                env=admin,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()
            for argv in (
                ["read", "-field=role_id", "auth/approle/role/my-app/role-id"],
                ["write", "-f", "-field=secret_id", "auth/approle/role/my-app/secret-id"],
            )
        )

        # 2. the reference in the registry
        credentials = yaml.safe_load(registry_yaml)["credentials"]
        assert credentials == ["vault:secret/llm/openai#api_key"]
        body: Any = base_doc()
        for provider in body["providers"].values():
            provider["credentials"] = []
        body["providers"]["openai"]["credentials"] = credentials
        (tmp_path / "build").mkdir()
        write_manifest(tmp_path / "build" / "prod.lock.json", body)

        # 3. where the app runs: the reader's values in place of the README's
        script = (
            app_shell.replace("https://vault.internal:8200", bao.addr)
            .replace("/etc/ssl/vault-ca.pem", str(bao.cacert))
            .replace("VAULT_ROLE_ID=...", f"VAULT_ROLE_ID={role_id}")
            .replace("VAULT_SECRET_ID=...", f"VAULT_SECRET_ID={secret_id}")
        )
        shown = re.search(r"regctl doctor .*# (.+)$", app_shell, re.M)
        assert shown is not None
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert shown.group(1).strip() in done.stdout.splitlines()
        for secret in (KEY, ROOT_TOKEN, secret_id):
            assert secret not in done.stdout + done.stderr

        # 4. the app, in this process, with the same environment
        for name, value in (
            ("VAULT_ADDR", bao.addr),
            ("VAULT_CACERT", str(bao.cacert)),
            ("VAULT_ROLE_ID", role_id),
            ("VAULT_SECRET_ID", secret_id),
        ):
            store_env.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setitem(sys.modules, "openai", _fake_openai(bao))
        clear_cache()
        namespace: dict[str, Any] = {"messages": []}
        exec(compile(textwrap.dedent(app_python), "README.md", "exec"), namespace)
        assert namespace["client"].chat.completions.key == KEY
        # rotated in Vault: the cached key gets a 401, the README's retry reads the new one
        bao.put("secret/llm/openai", {"api_key": ROTATED})
        exec(compile(textwrap.dedent(app_python), "README.md", "exec"), namespace)
        assert namespace["client"].chat.completions.key == ROTATED
        assert namespace["client"].chat.completions.create(model="gpt-4o") == "reply from gpt-4o"
