"""Loading fails closed: tampered, truncated, unknown-version or missing manifests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from client_fixtures import base_doc, doc, manifest_text, write_manifest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regctl.base.canonical import compute_digest, dumps_compact, seal
from regctl.client import (
    DigestMismatch,
    InvalidManifest,
    ManifestError,
    ManifestNotFound,
    Registry,
    UnsupportedVersion,
    _verify,
)
from regctl.client._verify import parse_manifest


def _plain_doc() -> dict[str, Any]:
    """base_doc without the in-string '\\": ' that sends loading down the slow path."""
    d = base_doc()
    d["models"]["anthropic/claude-3-5-sonnet"]["description"] = "Strong coder"
    return d


def _snapshot(reg: Registry) -> dict[str, Any]:
    return {
        "digest": reg.digest,
        "models": [m.as_dict() for m in reg.models()],
        "providers": sorted(reg.providers),
        "templates": {k: dict(v) for k, v in reg.templates.items()},
        "active": reg.active_model("openai", "chat"),
    }


def test_fast_and_slow_paths_give_the_same_registry(tmp_path: Path) -> None:
    body = _plain_doc()
    text = manifest_text(body)
    fast = parse_manifest(text.encode(), "m")
    assert fast._models is None  # the lazy fast path was taken
    compact = json.dumps(seal(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    slow = parse_manifest(compact.encode(), "m")  # no pretty layout: slow path
    assert slow._models is not None
    assert fast.digest == slow.digest == seal(body)["digest"]
    assert fast.top == {k: v for k, v in slow.top.items()}
    assert fast.all_models() == slow.all_models() == body["models"]
    for key in body["models"]:
        assert fast.model_entry(key) == body["models"][key]
    assert fast.model_entry("openai/nope") is None


@pytest.mark.parametrize("first", ["quick", "by lines"])
def test_spaces_inside_strings_keep_the_fast_path_and_their_value(
    first: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quick derivation drops every pair of spaces; a string holding two or three in a
    # row is then derived line by line, still without parsing the file. Whichever is
    # tried first (the last one needed goes first), the same verified content comes out.
    order = [_verify._compact_fast, _verify._compact_by_lines]
    monkeypatch.setattr(_verify, "_DERIVATIONS", order if first == "quick" else order[::-1])
    plain = _plain_doc()
    body = _plain_doc()
    odd = "two  spaces,   three, and a tail  "
    body["models"]["openai/o1"]["description"] = odd
    body["models"]["openai/o1"]["labels"] = {"a  b": "  lead"}
    for doc_ in (plain, body, plain):
        fast = parse_manifest(manifest_text(doc_).encode(), "m")
        assert fast._models is None
        assert fast.model_entry("openai/o1") == doc_["models"]["openai/o1"]
        assert fast.all_models() == doc_["models"]
        assert fast.digest == seal(doc_)["digest"]
    assert _verify._DERIVATIONS[0] is _verify._compact_by_lines  # learnt from `body`


def test_in_string_key_separator_falls_back_and_still_verifies(tmp_path: Path) -> None:
    reg = Registry.load(write_manifest(tmp_path / "m.json"))
    desc = reg.model("anthropic/claude-3-5-sonnet").description
    assert desc == 'Strong "coder": handles: colons, \\ backslashes and ünïcode'


def test_digest_prefix_is_canonicals() -> None:
    from regctl.base import canonical
    from regctl.client import _verify

    assert _verify.DIGEST_PREFIX == canonical.DIGEST_PREFIX


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestNotFound, match="not found"):
        Registry.load(tmp_path / "nope.json")
    with pytest.raises(ManifestNotFound, match="directory"):
        Registry.load(tmp_path)


def test_tampered_value_is_refused(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json", _plain_doc())
    text = path.read_text()
    path.write_text(
        text.replace('"openai/gpt-4o-mini": {', '"openai/gpt-4o-mini": {', 1).replace(
            '"input_per_mtok": 2.5', '"input_per_mtok": 0.5'
        )
    )
    with pytest.raises(DigestMismatch, match="does not match its digest"):
        Registry.load(path)


def test_tampered_digest_is_refused(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    digest = seal(base_doc())["digest"]
    path.write_text(path.read_text().replace(digest, "sha256:" + "1" * 64))
    with pytest.raises(DigestMismatch):
        Registry.load(path)


def test_a_space_added_inside_a_string_cannot_slip_through(tmp_path: Path) -> None:
    # The fast path removes '": ' spaces; a space an attacker adds after an in-string
    # '":' must not survive into what the client serves.
    body = _plain_doc()
    body["models"]["openai/o1"]["description"] = ':x and \\":y'
    path = write_manifest(tmp_path / "m.json", body)
    good = Registry.load(path).model("openai/o1").description
    assert good == ':x and \\":y'
    evil = path.read_text().replace('": ":x and \\\\\\":y"', '": ": x and \\\\\\": y"')
    assert evil != path.read_text()
    path.write_text(evil)
    # Served from the verified canonical text, never from the file's own strings.
    assert Registry.load(path).model("openai/o1").description == good
    assert json.loads(evil)["models"]["openai/o1"]["description"] != good


def test_truncated_manifest(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    text = manifest_text(base_doc())
    path.write_text(text[: len(text) // 2])
    with pytest.raises(InvalidManifest, match="not valid JSON"):
        Registry.load(path)
    path.write_text("")
    with pytest.raises(InvalidManifest):
        Registry.load(path)


def test_not_utf8_and_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(InvalidManifest, match="UTF-8"):
        Registry.load(path)
    path.write_text("[1, 2]")
    with pytest.raises(InvalidManifest, match="not a JSON object"):
        Registry.load(path)


def test_unknown_api_version_and_kind(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json", doc(apiVersion="regctl/v2"))
    with pytest.raises(UnsupportedVersion, match="regctl/v2"):
        Registry.load(path)
    write_manifest(path, doc(kind="Registry"))
    with pytest.raises(UnsupportedVersion, match="kind"):
        Registry.load(path)
    body = seal(base_doc())
    body["digest"] = "md5:abc"
    path.write_text(json.dumps(body))
    with pytest.raises(UnsupportedVersion, match="digest"):
        Registry.load(path)


def test_wrong_shape_with_valid_digest(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json", doc(providers=[]))
    with pytest.raises(InvalidManifest, match="'providers'"):
        Registry.load(path)
    path = write_manifest(tmp_path / "m.json", doc(active={"ghost": {"chat": "ghost/x"}}))
    with pytest.raises(InvalidManifest, match="ghost"):
        Registry.load(path)
    body = base_doc()
    del body["registry"]["capabilities"]
    with pytest.raises(InvalidManifest, match=r"registry\.capabilities"):
        Registry.load(write_manifest(tmp_path / "m.json", body))
    body = base_doc()
    del body["models"]["openai/gpt-4o"]["id"]
    reg = Registry.load(write_manifest(tmp_path / "m.json", body))
    with pytest.raises(InvalidManifest, match="malformed model entry 'openai/gpt-4o'"):
        reg.models()


def test_expect_digest_pins_the_manifest(tmp_path: Path) -> None:
    path = write_manifest(tmp_path / "m.json")
    digest = seal(base_doc())["digest"]
    assert Registry.load(path, expect_digest=digest).digest == digest
    with pytest.raises(DigestMismatch, match="expected"):
        Registry.load(path, expect_digest="sha256:" + "2" * 64)
    with pytest.raises(DigestMismatch, match="not 'sha256"):
        Registry.load(path, expect_digest="nonsense")


def test_every_error_is_a_manifest_error_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{")
    with pytest.raises(ManifestError) as info:
        Registry.load(path)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 4


_text = st.text(st.sampled_from([*'ab: "\\\n\t,{}[]ü€', "\u2028"]), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    desc=_text,
    label_key=_text,
    label_value=_text,
    cut=st.integers(0, 10_000),
    byte=st.integers(0, 255),
)
def test_property_loads_exactly_what_was_sealed_or_refuses(
    desc: str, label_key: str, label_value: str, cut: int, byte: int
) -> None:
    body = base_doc()
    entry = body["models"]["openai/gpt-4o"]
    entry["description"] = desc
    entry["labels"] = {label_key: label_value}
    data = manifest_text(body).encode()
    loaded = parse_manifest(data, "m")
    assert loaded.model_entry("openai/gpt-4o") == entry
    assert loaded.all_models() == body["models"]
    # Any one-byte change either fails closed or still yields the sealed content.
    pos = cut % len(data)
    changed = data[:pos] + bytes([byte]) + data[pos + 1 :]
    try:
        again = parse_manifest(changed, "m")
    except ManifestError:
        return
    assert again.all_models() == body["models"]
    assert compute_digest({**again.top, "models": again.all_models()}) == again.digest
    assert dumps_compact(again.all_models()) == dumps_compact(body["models"])


def test_source_is_provenance_outside_the_digest(tmp_path: Path) -> None:
    body = _plain_doc()
    text = manifest_text(body)
    sealed = json.loads(text)
    assert sealed["source"]["commit"] is None
    other_commit = text.replace('"commit": null', '"commit": "' + "a" * 40 + '"')
    assert other_commit != text
    fast = parse_manifest(other_commit.encode(), "m")
    assert fast._models is None  # still the fast path: the source block is skipped
    assert fast.digest == sealed["digest"]
    assert fast.top["source"]["commit"] == "a" * 40
    compact = dumps_compact(json.loads(other_commit))
    slow = parse_manifest(compact.encode(), "m")
    assert slow.top["source"] == fast.top["source"]
    # a malformed provenance block is dropped, never handed to the app
    garbled = text.replace('"commit": null', '"commit": 7')
    assert "source" not in parse_manifest(garbled.encode(), "m").top
