"""A provider's "no key" errors are said in the language of the registry it came from, the
same text in the Python client and the JavaScript reader (real node processes on one
compiled manifest of the conformance registry)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT, require_binary, run_cli

from regctl.client import NoCredentials, Registry

INDEX = (ROOT / "clients" / "js" / "src" / "index.js").as_uri()
PERSIAN = re.compile("[\u0600-\u06ff]")
KEY_VARS = ("ALPHA_KEY_PRIMARY", "ALPHA_KEY", "BETA_KEY", "GAMMA_KEY")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("keys") / "m.json"
    done = run_cli("compile", str(ROOT / "conformance" / "registries" / "contract"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _node(manifest: Path, provider: str, lang: str) -> dict[str, Any]:
    script = f"""
import {{ loadManifest }} from {json.dumps(INDEX)};
const reg = await loadManifest({json.dumps(str(manifest))}, {{ locale: {json.dumps(lang)} }});
try {{
  reg.provider({json.dumps(provider)}).apiKey(null, {{ env: {{}} }});
  console.log(JSON.stringify({{ ok: true }}));
}} catch (err) {{
  console.log(JSON.stringify({{ code: err.code, message: err.message }}));
}}
"""
    done = subprocess.run(
        [require_binary("node"), "--input-type=module", "-e", script],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# a failing chain; a personal key only; a chain shared with other groups only
@pytest.mark.parametrize("provider", ["alpha", "beta", "epsilon"])
def test_no_key_is_said_alike_in_both_readers_and_both_languages(
    manifest: Path, provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    said = {}
    for lang in ("en", "fa"):
        reg = Registry.load(manifest, locale=lang)
        with pytest.raises(NoCredentials) as err:
            reg.provider(provider).api_key()
        assert err.value.code == "no_credentials"
        expected = {"code": "no_credentials", "message": str(err.value)}
        assert _node(manifest, provider, lang) == expected
        said[lang] = str(err.value)
    assert f"provider '{provider}'" in said["en"] and not PERSIAN.search(said["en"])
    assert PERSIAN.search(said["fa"]) and f"'{provider}'" in said["fa"]


def test_resolved_api_key_speaks_the_registrys_language_and_the_process_stays_english(
    manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    fa = Registry.load(manifest, locale="fa")
    en = Registry.load(manifest, locale="en")
    with pytest.raises(NoCredentials) as in_fa:
        fa.resolve(provider="alpha").api_key()
    with pytest.raises(NoCredentials) as in_en:
        en.resolve(provider="alpha").api_key()  # another registry's language is not shared
    assert PERSIAN.search(str(in_fa.value)) and not PERSIAN.search(str(in_en.value))
    assert in_fa.value.attempts and [r for r, _ in in_fa.value.attempts] == [
        r for r, _ in in_en.value.attempts
    ]
