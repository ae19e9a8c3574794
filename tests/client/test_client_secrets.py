"""Keys: personal first, then the credential chain (env:, file:, plugins); values never leak."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from client_fixtures import PLUGIN_DIR, base_doc, write_manifest

from regctl.client import (
    NoCredentials,
    Registry,
    SecretFileError,
    SecretNotSet,
    SecretStr,
    UnknownSecretScheme,
    resolve_secret,
)

SECRET = "sk-live-VERYSECRET-0123456789"


def _registry(tmp_path: Path, creds: list[str]) -> Registry:
    body = base_doc()
    body["providers"]["openai"]["credentials"] = creds
    return Registry.load(write_manifest(tmp_path / "m.json", body))


def test_personal_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RC_TEST_OPENAI_KEY", "shared")
    r = Registry.load(write_manifest(tmp_path / "m.json")).resolve("chat")
    key = r.api_key(personal="mine")
    assert key.get_secret_value() == "mine" and key.source == "personal"
    assert r.api_key().get_secret_value() == "shared"
    assert r.api_key(personal="").source == "env:RC_TEST_OPENAI_KEY"  # empty = absent
    assert r.api_key(personal=SecretStr("s2")).get_secret_value() == "s2"


def test_chain_order_env_then_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyfile = tmp_path / "openai.key"
    keyfile.write_text(SECRET + "\n")
    reg = _registry(tmp_path, ["env:RC_TEST_PRIMARY", f"file:{keyfile}"])
    monkeypatch.delenv("RC_TEST_PRIMARY", raising=False)
    key = reg.resolve("chat").api_key()
    assert key.get_secret_value() == SECRET and key.source == f"file:{keyfile}"
    monkeypatch.setenv("RC_TEST_PRIMARY", "from-env")
    assert reg.resolve("chat").api_key().get_secret_value() == "from-env"


def test_chain_failure_names_every_reference_never_a_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    reg = _registry(
        tmp_path, ["env:RC_TEST_UNSET", f"file:{tmp_path}/missing.key", f"file:{empty}"]
    )
    monkeypatch.delenv("RC_TEST_UNSET", raising=False)
    with pytest.raises(NoCredentials) as info:
        reg.resolve("chat").api_key()
    msg = str(info.value)
    assert "provider 'openai'" in msg and "env:RC_TEST_UNSET" in msg and "missing.key" in msg
    assert "\n" not in msg
    kinds = [type(e) for _, e in info.value.attempts]
    assert kinds == [SecretNotSet, SecretFileError, SecretFileError]


def test_personal_only_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RC_TEST_ANTHROPIC_KEY", SECRET)
    r = Registry.load(write_manifest(tmp_path / "m.json")).resolve("chat", provider="anthropic")
    with pytest.raises(NoCredentials, match="allows only a personal key"):
        r.api_key()
    assert r.api_key("mine").get_secret_value() == "mine"


def test_specific_secret_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RC_TEST_NOPE", raising=False)
    with pytest.raises(SecretNotSet, match="RC_TEST_NOPE is not set"):
        resolve_secret("env:RC_TEST_NOPE")
    with pytest.raises(SecretFileError, match="cannot read"):
        resolve_secret(f"file:{tmp_path}/nope")
    unreadable = tmp_path / "dir-not-file"
    unreadable.mkdir()
    with pytest.raises(SecretFileError):
        resolve_secret(f"file:{unreadable}")
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    with pytest.raises(SecretFileError, match="UTF-8"):
        resolve_secret(f"file:{tmp_path}/bin")
    with pytest.raises(UnknownSecretScheme, match="'nosuchscheme'"):
        resolve_secret("nosuchscheme:x")


def test_secret_str_never_shows_the_value(caplog: pytest.LogCaptureFixture) -> None:
    key = SecretStr(SECRET, "env:X")
    shown = [repr(key), str(key), f"{key}", f"{key!r}", json.dumps(str(key))]
    shown.append("%s" % (key,))  # noqa: UP031  (old-style formatting too)
    assert all(SECRET not in s for s in shown)
    logging.getLogger("t").warning("key=%s %r", key, key)
    assert SECRET not in caplog.text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(key)
    assert key == SecretStr(SECRET) and key != SecretStr("other")


_PLUGIN_SCRIPT = """
import json, os, sys
from regctl.client import Registry, SecretError, resolve_secret
reg = Registry.load(sys.argv[1])
out = {"key": reg.resolve("chat", provider="backup").api_key().get_secret_value()}
for ref in ("testvault:boom", "testvault:empty"):
    try:
        resolve_secret(ref)
    except SecretError as exc:
        out[ref] = [type(exc).__name__, str(exc)]
out["importlib.metadata"] = "importlib.metadata" in sys.modules
print(json.dumps(out))
"""


def test_plugin_scheme_from_an_entry_point(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN_DIR), env.get("PYTHONPATH", "")])
    env["TESTVAULT_BACKUP"] = "tv-backup-key"
    proc = subprocess.run(
        [sys.executable, "-c", _PLUGIN_SCRIPT, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["key"] == "tv-backup-key"
    assert out["testvault:boom"][0] == "SecretPluginError"
    assert "LEAKED" not in out["testvault:boom"][1] and "RuntimeError" in out["testvault:boom"][1]
    assert out["testvault:empty"][0] == "SecretNotSet"
    assert out["importlib.metadata"] is True


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_plugin_message_quoting_a_key_is_masked(tmp_path: Path, fmt: str) -> None:
    """Issue 20 (11): ``adva:x: token sk-proj-... expired`` printed the key."""
    doc = base_doc()
    doc["providers"]["backup"]["credentials"] = ["testvault:expired", "testvault:opaque"]
    path = write_manifest(tmp_path / "m.json", doc)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN_DIR), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "regctl", "doctor", "--manifest", str(path), "--format", fmt],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    assert "Tq7Lm2Xr9Kd4Wb8Nc3Vf6Hs1" not in out and "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh" not in out
    # The plugin's own words stay: they say what to fix.
    assert "testvault:expired: token sk-proj-*** expired" in out
    assert "testvault:opaque: session *** is no longer valid" in out


def test_plugin_scheme_not_installed(tmp_path: Path) -> None:
    reg = Registry.load(write_manifest(tmp_path / "m.json"))
    with pytest.raises(NoCredentials, match="no plugin for secret scheme 'testvault'"):
        reg.resolve("chat", provider="backup").api_key()
