"""`regctl export configmap`: shape checked field by field and against kubectl's own generator."""

from __future__ import annotations

import base64
import gzip
import json
import re
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
