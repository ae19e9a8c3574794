"""plaintext-secret: references only, nothing key-shaped, and the value is never echoed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import run_cli
from tests.pipeline.rules.conftest import Check, read_base

from regctl.pipeline.rules.plaintext_secret import _why_key, looks_like_key

BETA = read_base("providers/beta.yaml")
KEY = "sk-proj-Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lM"


@pytest.mark.parametrize(
    "value",
    [KEY, "sk-ant-api03-AbCdEfGhIjKlMnOpQrSt", "xai-AbCdEfGhIjKlMnOpQrStUv",
     "AIzaSyD-1234567890abcdefghijklmnopqrstu", "gsk_AbCdEfGhIjKlMnOpQrStUvWx",
     "Bearer q8Zx2WvR5tY7uI9oP1aS3dF6gH4jK0lMnB"],
)  # fmt: skip
def test_key_shapes_are_caught(value: str) -> None:
    assert looks_like_key(value)


@pytest.mark.parametrize(
    "value",
    ["meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "claude-3-5-sonnet-20241022",
     "sha256:" + "ab" * 32, "https://api.openai.com/v1/chat/completions", "task-specific model"],
)  # fmt: skip
def test_long_names_are_not_keys(value: str) -> None:
    assert looks_like_key(value) is None


def test_credential_that_is_not_a_reference(check: Check) -> None:
    text = BETA.replace("[env:BETA_API_KEY, file:/run/secrets/beta]", "[BETA_KEY]")
    (p,) = check({"providers/beta.yaml": text}, rule="plaintext-secret")
    assert "not a secret reference" in p.message and p.location.line == 7


def test_key_in_any_field_and_secret_named_fields(check: Check) -> None:
    text = BETA.replace("display_name: Beta\n", f"display_name: Beta\nlabels: {{note: {KEY}}}\n")
    text = text.replace(
        "    active: [chat]\n", "    active: [chat]\n    labels: {token: hunter2}\n"
    )
    got = check({"providers/beta.yaml": text}, rule="plaintext-secret")
    assert sorted(p.location.line for p in got) == [5, 14]


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_the_value_never_reaches_the_output(tmp_path, fmt: str) -> None:
    reg = tmp_path / "reg"
    reg.mkdir()
    (reg / "p.yaml").write_text(
        "apiVersion: regctl/v1\nkind: Provider\nid: p\ndisplay_name: P\n"
        f"credentials: [{KEY}]\ndescription: uses {KEY[3:]} internally\n"
    )
    res = run_cli("validate", str(reg), "--format", fmt)
    assert res.returncode == 1 and "plaintext-secret" in res.stdout
    out = res.stdout + res.stderr
    assert KEY not in out and KEY[8:] not in out and KEY[-12:] not in out


_KEYISH = st.text(
    alphabet=st.sampled_from("aZ9_-/+=@:?&.~ sk-AIzahf_ghp0123456789abcdefABCDEF"), max_size=90
)


@settings(max_examples=800, deadline=None)
@given(
    st.one_of(_KEYISH, st.text(max_size=60), st.just(KEY), st.builds(lambda s: s + KEY, _KEYISH))
)
def test_the_pre_check_never_hides_a_finding(value: str) -> None:
    """looks_like_key's cheap pre-check (MAYBE_KEY) is exact: the full checks agree."""
    assert looks_like_key(value) == _why_key(value)
