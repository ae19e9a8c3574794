"""`regctl doctor`: does every credential reference of the manifest's providers resolve here?

Each reference (``env:``, ``file:``, ``vault:``, ``aws-sm:``, plugins) is resolved once,
all at once, freshly (:func:`regctl.client.secrets.check_references`), and gets a line;
never a value. Each provider also gets the chain's answer (the reference an app would use,
or ``no_credentials``): the JSON ``providers`` rows are what the conformance cases read
(docs/resolution.md, "Keys"). Exit 1 when any reference does not resolve.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from regctl.cli.app import main
from regctl.cli.client_cmds import (
    echo_json,
    errors_as_json,
    load_registry,
    manifest_option,
)
from regctl.cli.complete import complete_provider
from regctl.cli.manifest_source import announce
from regctl.cli.options import epilog, format_option


def _marks() -> tuple[str, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "OK", "FAIL"
    return "✓", "✗"


@main.command(
    "doctor",
    epilog=epilog(
        [
            "regctl doctor --manifest build/prod.lock.json",
            "regctl doctor --format json",
            "regctl doctor --group staff --personal openai",
        ],
        "doctor",
    ),
)
@click.option(
    "--personal",
    "personal",
    multiple=True,
    metavar="PROVIDER",
    shell_complete=complete_provider,
    help="The app passes its own (personal) key for PROVIDER (repeat): it is used first, "
    "so the shared chain is not needed for it.",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help="Check as a caller in GROUP (repeat), as api_key(group=...) does: a provider with "
    "shared_key_groups shares its chain only with a caller in one of them. Without it, each "
    "chain is checked as one of its listed groups would use it.",
)
@format_option(["text", "json"])
@manifest_option
def doctor_cmd(
    personal: tuple[str, ...],
    groups: tuple[str, ...],
    fmt: str,
    manifest: str | None,
    registry_dir: str | None,
    registry_env: str | None,
) -> None:
    """Check every credential reference of the manifest's providers (never prints a value).

    One line per reference: env:, file:, vault:, aws-sm: and plugin schemes are each
    resolved here, store references freshly (not from a cache). A provider named with
    --personal gets the app's own key, so its chain is not checked; one that does not
    share its chain with the caller's --group (shared_key_groups) is skipped. Exits 1 when
    any reference does not resolve.
    """
    from regctl.base.i18n import tr
    from regctl.base.textsafe import safe_line

    with errors_as_json(fmt == "json"):
        registry = load_registry(manifest, registry_dir, registry_env)
        for pid in personal:
            registry.provider(pid)  # an unknown provider is an error (exit 3), not ignored
    providers, references = _check(registry, personal, groups)
    failed = sum(1 for r in references if r["status"] == "fail")
    announce()
    if fmt == "json":
        env = registry.environment
        head = {"manifest": str(registry.source), "digest": registry.digest, "environment": env}
        echo_json(head | {"providers": providers, "references": references, "ok": not failed})
    else:
        env_shown = registry.environment or "(base)"
        click.echo(safe_line(f"manifest {registry.source} {registry.digest} env={env_shown}"))
        ok_mark, bad_mark = _marks()
        marks = {"ok": ok_mark, "fail": bad_mark}
        for row in providers:
            checked = [r for r in references if r["provider"] == row["provider"]]
            lines = checked or [row]  # a provider not checked says why in one line
            for line in lines:
                mark = marks.get(line["status"], "-")
                click.echo(safe_line(f"{mark}  {line['provider']}: {line['detail']}"))
        click.echo(
            tr(
                "{total} references: {ok} resolve, {failed} do not",
                total=len(references),
                ok=len(references) - failed,
                failed=failed,
            )
        )
    if failed:
        sys.exit(1)


def _check(
    registry: Any, personal: tuple[str, ...], groups: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(a row per provider: the chain's answer; a row per reference checked)."""
    from regctl.client import SecretError
    from regctl.client.secrets import check_references

    providers: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    for pid, provider in sorted(registry.providers.items()):
        row: dict[str, Any] = {"provider": pid}
        if not provider.enabled:
            row |= {"status": "disabled", "detail": "disabled"}
        elif pid in personal:
            row |= {"status": "ok", "detail": "key from personal", "source": "personal"}
        elif not provider.allow_shared_credentials:
            detail = "personal key required (allow_shared_credentials: false)"
            row |= {"status": "skipped", "detail": detail, "code": "no_credentials"}
        elif not provider.credentials:
            # e.g. bedrock, authenticated by the cloud SDK's own chain: nothing to check.
            row |= {"status": "skipped", "detail": "no credentials listed"}
        elif provider.shared_key_groups == () and not groups:
            row |= {"status": "skipped", "detail": "personal key required (shared_key_groups: [])"}
        elif _refused(provider, groups):
            # Not shared with this caller's groups: a policy, like allow_shared_credentials:
            # false; api_key() says so before it reads any reference.
            try:
                provider.api_key(group=groups or provider.shared_key_groups)
            except SecretError as exc:
                row |= {"status": "skipped", "detail": str(exc), "code": exc.code}
        else:
            references += [{"provider": pid, "reference": ref} for ref in provider.credentials]
        # Whether an app may use the shared chain at all (docs/resolution.md, "Keys").
        providers.append(row | {"shared": provider.allow_shared_credentials})
    results = check_references([r["reference"] for r in references])
    for ref_row, (_, error) in zip(references, results):
        if error is None:
            ref_row |= {"status": "ok", "detail": ref_row["reference"]}
        else:
            ref_row |= {"status": "fail", "detail": str(error), "code": error.code}
    for row in providers:
        chain = [r for r in references if r["provider"] == row["provider"]]
        if not chain:
            continue
        won = next((r for r in chain if r["status"] == "ok"), None)
        if won is not None:  # the first that resolves, as api_key() would choose
            row |= {"status": "ok", "detail": f"key from {won['reference']}"}
            row["source"] = won["reference"]
        else:
            reasons = "; ".join(r["detail"] for r in chain)
            detail = f"no key for provider {row['provider']!r}: {reasons}"
            row |= {"status": "fail", "detail": detail, "code": "no_credentials"}
    return providers, references


def _refused(provider: Any, groups: tuple[str, ...]) -> bool:
    """The provider shares its chain with listed groups only, and none of the caller's.

    Without --group the chain is checked as one of the groups it is shared with would use
    it; with --group, as that caller.
    """
    allowed = provider.shared_key_groups
    asked = groups or allowed or ()
    return allowed is not None and not set(asked) & set(allowed)
