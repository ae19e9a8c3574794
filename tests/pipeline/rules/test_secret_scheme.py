"""secret-scheme: declared schemes and well-formed env names."""

from __future__ import annotations

from tests.pipeline.rules.conftest import Check, read_base

REG = read_base("registry.yaml")
BETA = read_base("providers/beta.yaml")


def test_undeclared_scheme_and_bad_env_name(check: Check) -> None:
    text = BETA.replace(
        "[env:BETA_API_KEY, file:/run/secrets/beta]", "[vault:kv/beta, env:BETA-KEY]"
    )
    got = check({"providers/beta.yaml": text}, rule="secret-scheme")
    assert sorted(p.location.col for p in got) == [15, 30]
    assert any("scheme 'vault' is not declared" in p.message for p in got)
    assert any("malformed environment variable name" in p.message for p in got)


def test_declared_plugin_scheme_is_accepted(check: Check) -> None:
    files = {
        "registry.yaml": REG + "secret_schemes: [vault]\n",
        "providers/beta.yaml": BETA.replace("file:/run/secrets/beta", "vault:kv/beta#key"),
    }
    assert check(files) == []
