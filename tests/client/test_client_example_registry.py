"""The example registry, compiled by the real compiler, served by the client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from regctl.client import DigestMismatch, NoActiveModel, Registry
from regctl.pipeline.compile import compile_registry, write_lock

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = [None, *sorted(p.stem for p in (ROOT / "registry" / "environments").glob("*.yaml"))]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_declared_provider_and_capability_resolves(env: str | None, tmp_path: Path) -> None:
    result = compile_registry(ROOT / "registry", env=env)
    assert result.manifest is not None, result.problems
    lock = tmp_path / "manifest.lock.json"
    write_lock(result, lock)
    reg = Registry.load(lock, expect_digest=result.digest)
    manifest = result.manifest
    assert reg.environment == env
    pairs = 0
    for pid, provider in manifest["providers"].items():
        declared = {
            cap
            for m in manifest["models"].values()
            if m["provider"] == pid
            for cap in m["capabilities"]
        }
        for cap in sorted(declared):
            expected = manifest["active"].get(pid, {}).get(cap)
            got = reg.active_model(pid, cap)
            if expected is None or not provider["enabled"]:
                assert got is None
                with pytest.raises(NoActiveModel):
                    reg.resolve(cap, provider=pid, fallback=False)
                continue
            pairs += 1
            r = reg.resolve(cap, provider=pid, fallback=False)
            assert r.model is got and got.key == expected
            assert r.base_url == provider.get("base_url") and r.api == provider["api"]
            assert r.upstream_id == manifest["models"][expected]["upstream_id"]
    assert pairs >= 4
    for cap, pid in manifest["defaults"].items():
        assert reg.resolve(cap).provider.id == pid
    for cap in manifest["fallbacks"]:
        assert reg.candidates(cap)[0].provider.id == manifest["defaults"][cap]


def test_keys_from_env_and_file_and_tamper_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "registry"
    shutil.copytree(ROOT / "registry", root)
    xai = root / "providers" / "xai.yaml"
    xai.write_text(
        xai.read_text().replace(
            "  - env:XAI_API_KEY\n", "  - env:XAI_API_KEY\n  - file:secrets/xai.key\n"
        )
    )
    result = compile_registry(root, env="prod")
    assert result.manifest is not None, result.problems
    lock = tmp_path / "prod.lock.json"
    write_lock(result, lock)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "xai.key").write_text("xai-file-key\n")
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY_PRIMARY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "openai-env-key")
    reg = Registry.load(lock)
    key = reg.resolve("chat", provider="xai").api_key()
    assert (key.get_secret_value(), key.source) == ("xai-file-key", "file:secrets/xai.key")
    key = reg.resolve("chat").api_key()
    assert (key.get_secret_value(), key.source) == ("openai-env-key", "env:OPENAI_API_KEY")
    lock.write_text(lock.read_text().replace('"temperature": 0.7', '"temperature": 1.9', 1))
    with pytest.raises(DigestMismatch):
        Registry.load(lock)
