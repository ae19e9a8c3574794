"""`regctl export configmap`: shape checked field by field and against kubectl's own generator."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import EXAMPLE, require_binary

from regctl.base.canonical import compute_digest
from regctl.base.errors import RegctlError
from regctl.interop.configmap import CONFIGMAP_LIMIT, configmap_yaml

DNS1123 = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
KEY = re.compile(r"[-._a-zA-Z0-9]+")


def _check_shape(doc: dict[str, Any]) -> None:
    """What the API server checks of a ConfigMap (no cluster needed)."""
    assert doc["apiVersion"] == "v1" and doc["kind"] == "ConfigMap"
    assert set(doc) <= {"apiVersion", "kind", "metadata", "data", "binaryData"}
    meta = doc["metadata"]
    assert DNS1123.fullmatch(meta["name"]) and len(meta["name"]) <= 253
    assert all(isinstance(v, str) for v in meta["annotations"].values())
    data, binary = doc.get("data", {}), doc.get("binaryData", {})
    assert not set(data) & set(binary) and len(data) + len(binary) == 1
    assert all(KEY.fullmatch(k) for k in [*data, *binary])
    assert all(isinstance(v, str) for v in data.values())
    size = sum(len(v.encode()) for v in data.values())
    size += sum(len(base64.b64decode(v, validate=True)) for v in binary.values())
    assert size <= CONFIGMAP_LIMIT


def _kubectl_generated(tmp_path: Path, key: str, payload: bytes) -> dict[str, Any]:
    """kubectl's own ConfigMap for the same file (its generator runs offline)."""
    src = tmp_path / "payload"
    src.write_bytes(payload)
    proc = subprocess.run(
        [require_binary("kubectl"), "create", "configmap", "x", f"--from-file={key}={src}",
         "--dry-run=client", "-o", "json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    generated: dict[str, Any] = json.loads(proc.stdout)
    return generated


def test_example_registry_inline_data(tmp_path: Path, cli) -> None:
    out = tmp_path / "cm.yaml"
    proc = cli("export", "configmap", str(EXAMPLE), "--env", "prod", "--namespace", "apps",
               "-o", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(out.read_text())
    _check_shape(doc)
    text = doc["data"]["manifest.lock.json"]
    manifest = json.loads(text)
    meta = doc["metadata"]
    assert meta["name"] == "regctl-manifest-prod" and meta["namespace"] == "apps"
    assert (
        meta["annotations"]["regctl.dev/digest"] == manifest["digest"] == compute_digest(manifest)
    )
    assert meta["annotations"]["regctl.dev/source-commit"] == (manifest["source"]["commit"] or "")
    lock = tmp_path / "prod.lock.json"
    assert cli("compile", str(EXAMPLE), "--env", "prod", "-o", str(lock)).returncode == 0
    assert text == lock.read_text()  # the exact compiled bytes
    assert (
        _kubectl_generated(tmp_path, "manifest.lock.json", lock.read_bytes())["data"] == doc["data"]
    )
    again = cli("export", "configmap", str(EXAMPLE), "--env", "prod", "--namespace", "apps")
    assert again.stdout == out.read_text()  # deterministic


def test_modelsdev_goes_to_binary_data_gzip(modelsdev_registry: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "cm.yaml"
    proc = cli("export", "configmap", str(modelsdev_registry), "--name", "models", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(out.read_text())
    _check_shape(doc)
    gz = base64.b64decode(doc["binaryData"]["manifest.lock.json.gz"])
    lock = tmp_path / "md.lock.json"
    assert cli("compile", str(modelsdev_registry), "-o", str(lock)).returncode == 0
    raw = lock.read_bytes()
    assert len(raw) > CONFIGMAP_LIMIT and gzip.decompress(gz) == raw
    assert doc["metadata"]["annotations"]["regctl.dev/digest"] == json.loads(raw)["digest"]
    assert doc["metadata"]["annotations"]["regctl.dev/encoding"] == "gzip"
    generated = _kubectl_generated(tmp_path, "manifest.lock.json.gz", gz)
    assert generated["binaryData"] == doc["binaryData"]


def test_too_big_even_compressed_names_limit_and_size() -> None:
    import random

    rng = random.Random(7)
    noise = "".join(rng.choice("0123456789abcdef") for _ in range(2_400_000))
    manifest = {"digest": "sha256:" + "0" * 64, "environment": "prod", "blob": noise}
    with pytest.raises(RegctlError, match=r"over the ConfigMap limit of 1048576 bytes") as info:
        configmap_yaml(manifest, name=None, namespace=None)
    assert "2400" in str(info.value) and "gzip-compressed" in str(info.value)


def test_bad_name_is_a_usage_error(tmp_path: Path, cli) -> None:
    proc = cli("export", "configmap", str(EXAMPLE), "--name", "Not_Valid")
    assert proc.returncode == 2 and "not a valid Kubernetes name" in proc.stderr
    assert "Traceback" not in proc.stderr


# Characters a YAML parser reads as line breaks (U+0085, U+2028, U+2029) or may not take
# raw (DEL, C1, BOM): each once made the ConfigMap of a clean registry unreadable.
ODD = 'line\u2028sep para\u2029sep nel\x85x del\x7fx c1\x9fx bom\ufeffx tab\tx quote"x'


def _mount(root: Path, text: str) -> Path:
    """What kubelet makes of a ConfigMap volume: a timestamped folder, ``..data``, links."""
    stamp = root / "..2026_12_06_08_00_00.000000001"
    stamp.mkdir(parents=True)
    (stamp / "manifest.lock.json").write_bytes(text.encode("utf-8"))
    (root / "..data").symlink_to(stamp.name)
    (root / "manifest.lock.json").symlink_to("..data/manifest.lock.json")
    return root / "manifest.lock.json"


def _kubectl_read(path: Path) -> dict[str, Any]:
    """The ConfigMap as kubectl (go-yaml) reads it, offline."""
    proc = subprocess.run(
        [require_binary("kubectl"), "label", "--local", "-f", str(path), "-o", "json", "x=y"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def test_data_is_byte_exact_for_every_client(tmp_path: Path, cli) -> None:
    from regctl.client import Registry

    reg = tmp_path / "registry"
    shutil.copytree(EXAMPLE, reg)
    provider = reg / "providers" / "openai.yaml"
    text = provider.read_text(encoding="utf-8")
    # JSON's \uXXXX escapes of BMP characters are YAML's too; the emoji goes in raw.
    escaped = json.dumps(ODD + " فارسی\u200cها")[:-1] + ' 😀"'
    text = text.replace("description: OpenAI platform API", f"description: {escaped} #", 1)
    provider.write_text(text, encoding="utf-8")
    assert cli("validate", str(reg)).returncode == 0
    lock = tmp_path / "prod.lock.json"
    assert cli("compile", str(reg), "--env", "prod", "-o", str(lock)).returncode == 0
    compiled = lock.read_text(encoding="utf-8")
    assert ODD in json.loads(compiled)["providers"]["openai"]["description"]
    out = tmp_path / "cm.yaml"
    proc = cli("export", "configmap", str(reg), "--env", "prod", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    for name, doc in [
        ("pyyaml", yaml.safe_load(out.read_text(encoding="utf-8"))),
        ("kubectl", _kubectl_read(out)),
    ]:
        _check_shape(doc)
        data = doc["data"]["manifest.lock.json"]
        assert data == compiled, name
        loaded = Registry.load(_mount(tmp_path / f"mount-{name}", data))
        assert loaded.digest == json.loads(compiled)["digest"], name
        assert loaded.provider("openai").description.startswith(ODD)


def test_a_clean_manifest_stays_a_readable_block(tmp_path: Path, cli) -> None:
    proc = cli("export", "configmap", str(EXAMPLE), "--env", "prod")
    assert proc.returncode == 0
    assert "\ndata:\n  manifest.lock.json: |\n    {\n" in proc.stdout
    data = _kubectl_read(_write(tmp_path / "cm.yaml", proc.stdout))["data"]
    lock = tmp_path / "prod.lock.json"
    assert cli("compile", str(EXAMPLE), "--env", "prod", "-o", str(lock)).returncode == 0
    assert data["manifest.lock.json"] == lock.read_text(encoding="utf-8")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("namespace", "ok"),
    [
        ("apps", True),
        ("a" * 63, True),
        ("team-1", True),
        ("a" * 64, False),
        ("apps.prod", False),  # a subdomain, not a label: Kubernetes refuses the dot
        ("Apps", False),
        ("-apps", False),
        ("apps-", False),
        ("ap_ps", False),
        ("", False),
    ],
)
def test_namespace_is_a_dns1123_label(tmp_path: Path, cli, namespace: str, ok: bool) -> None:
    proc = cli("export", "configmap", str(EXAMPLE), "--namespace", namespace)
    if ok:
        assert proc.returncode == 0, proc.stderr
        doc = _kubectl_read(_write(tmp_path / "cm.yaml", proc.stdout))
        assert doc["metadata"]["namespace"] == namespace
        return
    assert proc.returncode == 2, proc.stdout
    assert "invalid value for '--namespace'" in proc.stderr and "DNS-1123 label" in proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_default_name_from_an_environment_id_kubernetes_would_refuse() -> None:
    manifest = {"digest": "sha256:" + "0" * 64, "environment": "prod_eu", "models": {}}
    text = configmap_yaml(manifest, name=None, namespace=None)
    assert yaml.safe_load(text)["metadata"]["name"] == "regctl-manifest-prod-eu"
