"""`regctl resolve`, `regctl models`, `regctl cost`, `regctl doctor` (the runtime client's view).

The manifest comes from ``--manifest``, else ``$REGCTL_MANIFEST``, else
``manifest.lock.json``, else ``build/prod.lock.json`` (what the quick start compiles).
Exit codes (regctl.cli.exitcodes): 0 ok; 1 ``doctor`` found a provider without a key;
2 usage, no manifest found too; 3 nothing resolved / unknown name; 4 the manifest cannot
be read or trusted; 6 pricing error (the codes of :mod:`regctl.client.errors`).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import click

from regctl.base.textsafe import escape_control
from regctl.cli.app import main
from regctl.cli.complete import complete_model, complete_provider
from regctl.cli.manifest_source import announce, load
from regctl.cli.options import (
    deprecated_alias,
    deprecated_value,
    epilog,
    format_option,
    token_options,
)

_MANIFEST_HELP = (
    "Lock manifest path or URL [env REGCTL_MANIFEST; default: manifest.lock.json, "
    "then build/prod.lock.json]."
)


def manifest_option(fn: Any) -> Any:
    """``--manifest FILE|URL`` and ``--registry DIR`` (compiled in memory instead)."""
    fn = click.option(
        "--registry",
        "registry_dir",
        default=None,
        metavar="DIR",
        help="Answer from this registry folder, compiled in memory (no lock file is read "
        "or written); --env picks the environment.",
    )(fn)
    fn = click.option(
        "--env",
        "registry_env",
        default=None,
        metavar="ENV",
        help="With --registry: the environment to compile.",
    )(fn)
    return click.option(
        "--manifest",
        "manifest",
        envvar="REGCTL_MANIFEST",
        default=None,
        show_default=False,
        metavar="FILE|URL",
        help=_MANIFEST_HELP,
    )(fn)


def _manifest_option(fn: Any) -> Any:
    """``--manifest`` alone (``serve`` reads a lock, never a registry)."""
    return click.option(
        "--manifest",
        "manifest",
        envvar="REGCTL_MANIFEST",
        default=None,
        show_default=False,
        metavar="FILE|URL",
        help=_MANIFEST_HELP,
    )(fn)


def load_registry(
    manifest: str | None, registry_dir: str | None = None, env: str | None = None
) -> Any:
    """The registry a client command answers from (see :mod:`regctl.cli.manifest_source`)."""
    return load(manifest, registry_dir, env)


def _load(manifest: str | None) -> Any:
    return load_registry(manifest)


@contextlib.contextmanager
def errors_as_json(enabled: bool = True) -> Iterator[None]:
    """On a client error, print ``{"error": {"code", "message"}}`` on stdout too (for
    scripts: the stable code of docs/resolution.md), then let the CLI report it."""
    from regctl.client.errors import ClientError

    try:
        yield
    except ClientError as exc:
        if enabled:
            echo_json({"error": {"code": exc.code, "message": str(exc)}})
        raise


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


_echo_json = echo_json


def _json_alias(fn: Any) -> Any:
    return deprecated_alias("--json", "--format json", "fmt", value="json")(fn)


@main.command(
    "models",
    epilog=epilog(
        ["regctl models -c chat --active", "regctl models -p openai --format json"],
        "models",
    ),
)
@click.option(
    "--provider",
    "-p",
    "providers",
    multiple=True,
    shell_complete=complete_provider,
    help="Only this provider (repeat).",
)
@click.option("--capability", "-c", help="Only models with this capability.")
@click.option(
    "--active/--inactive",
    default=None,
    help="Only active models (for --capability if given), or only the others.",
)
@format_option(["text", "json"])
@_json_alias
@manifest_option
def models_cmd(
    providers: tuple[str, ...],
    capability: str | None,
    active: bool | None,
    fmt: str,
    manifest: str | None,
    registry_dir: str | None,
    registry_env: str | None,
) -> None:
    """List the manifest's models."""
    fmt = deprecated_value("fmt", fmt, "text")
    with errors_as_json(fmt == "json"):
        registry = load_registry(manifest, registry_dir, registry_env)
        if providers:  # each one checked (an unknown provider is an error with a did-you-mean)
            picked = {m.key: m for p in providers for m in registry.models(p, capability, active)}
            found = [picked[key] for key in sorted(picked)]
        else:
            found = registry.models(None, capability, active)
    announce()
    if fmt == "json":
        _echo_json([m.as_dict() for m in found])
        return
    rows = [(m.key, ",".join(m.capabilities), ",".join(m.active) or "-") for m in found]
    header = ("MODEL", "CAPABILITIES", "ACTIVE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    for r in [header, *rows]:
        click.echo(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip())


@main.command(
    "cost",
    epilog=epilog(
        [
            "regctl cost openai/gpt-4o --input-tokens 1200 --output-tokens 300",
            "regctl cost openai gpt-4o -I 1200 -O 300 --format json",
        ],
        "cost",
    ),
)
@click.argument(
    "model_ref", nargs=-1, required=True, metavar="PROVIDER/MODEL", shell_complete=complete_model
)
@token_options(cached=True)
@format_option(["text", "json"])
@_json_alias
@manifest_option
def cost_cmd(
    model_ref: tuple[str, ...],
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int,
    fmt: str,
    manifest: str | None,
    registry_dir: str | None,
    registry_env: str | None,
) -> None:
    """Print the USD cost of one call to a model (`provider/model` or `provider model`)."""
    from regctl.cli.options import split_model_ref

    provider, model_id = split_model_ref(model_ref)
    model = f"{provider}/{model_id}"
    fmt = deprecated_value("fmt", fmt, "text")
    with errors_as_json(fmt == "json"):
        registry = load_registry(manifest, registry_dir, registry_env)
        usd = registry.cost(model, input_tokens, output_tokens, cached_tokens)
    announce()
    text = format(usd.normalize(), "f") if usd else "0"
    if fmt == "json":
        _echo_json(
            {
                "model": model,
                "usd": text,
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "cached_tokens": cached_tokens,
            }
        )
    else:
        click.echo(f"{text} USD")


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
    """Check per provider whether a key resolves here (never prints a value).

    A personal key comes first (--personal), then, when the provider allows shared
    credentials (and, with shared_key_groups, shares them with the caller's --group),
    its credential chain. Exits 1 when an enabled provider gets no key.
    """
    from regctl.client import SecretError

    with errors_as_json(fmt == "json"):
        registry = load_registry(manifest, registry_dir, registry_env)
        for pid in personal:
            registry.provider(pid)  # an unknown provider is an error (exit 3), not ignored
    ok_mark, bad_mark = _marks()
    checks: list[dict[str, Any]] = []
    for pid, provider in sorted(registry.providers.items()):
        if not provider.enabled:
            checks.append({"provider": pid, "status": "disabled", "detail": "disabled"})
        elif pid in personal:
            checks.append(
                {
                    "provider": pid,
                    "status": "ok",
                    "detail": "key from personal",
                    "source": "personal",
                }
            )
        elif not provider.allow_shared_credentials:
            detail = "personal key required (allow_shared_credentials: false)"
            checks.append(
                {"provider": pid, "status": "skipped", "detail": detail, "code": "no_credentials"}
            )
        elif not provider.credentials:
            # e.g. bedrock, authenticated by the cloud SDK's own chain: nothing to check.
            checks.append({"provider": pid, "status": "skipped", "detail": "no credentials listed"})
        elif provider.shared_key_groups == () and not groups:
            detail = "personal key required (shared_key_groups: [])"
            checks.append({"provider": pid, "status": "skipped", "detail": detail})
        else:
            # Without --group the chain is checked as one of the groups it is shared with
            # would use it; with --group, as that caller: a provider that does not share
            # with the caller is a policy (skipped, like allow_shared_credentials: false).
            asked = groups or provider.shared_key_groups
            allowed = provider.shared_key_groups
            refused = allowed is not None and not set(asked or ()) & set(allowed)
            try:
                key = provider.api_key(group=asked)
            except SecretError as exc:
                status = "skipped" if refused else "fail"
                checks.append(
                    {"provider": pid, "status": status, "detail": str(exc), "code": exc.code}
                )
            else:
                detail = f"key from {key.source}"
                checks.append(
                    {"provider": pid, "status": "ok", "detail": detail, "source": key.source}
                )
    for c in checks:
        # Whether an app may use the shared chain at all (docs/resolution.md, "Keys").
        c["shared"] = registry.providers[c["provider"]].allow_shared_credentials
    failed = sum(1 for c in checks if c["status"] == "fail")
    announce()
    if fmt == "json":
        env = registry.environment
        head = {"manifest": str(registry.source), "digest": registry.digest, "environment": env}
        _echo_json(head | {"providers": checks, "ok": not failed})
    else:
        env_shown = registry.environment or "(base)"
        click.echo(f"manifest {registry.source} {registry.digest} env={env_shown}")
        marks = {"ok": ok_mark, "fail": bad_mark}
        for c in checks:
            # The detail may quote --group values as typed: escaped, like every output.
            detail = escape_control(c["detail"])
            click.echo(f"{marks.get(c['status'], '-')}  {c['provider']}: {detail}")
    if failed:
        sys.exit(1)
