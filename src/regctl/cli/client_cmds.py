"""`regctl resolve`, `regctl models`, `regctl cost`, `regctl doctor` (the runtime client's view).

The manifest comes from ``--manifest``, else ``$REGCTL_MANIFEST``, else
``manifest.lock.json``, else ``build/prod.lock.json`` (what the quick start compiles).
Exit codes: 0 ok; 1 ``doctor`` found a provider without a key; 2 usage; 3 nothing
resolved / unknown name; 4 manifest missing or not trusted; 5 secret error; 6 pricing
error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from regctl.base.errors import UsageError
from regctl.cli.app import main
from regctl.cli.complete import complete_model, complete_provider
from regctl.cli.options import (
    USAGE_EXIT,
    deprecated_alias,
    deprecated_value,
    epilog,
    format_option,
    token_options,
)

#: Tried in order when neither --manifest nor $REGCTL_MANIFEST names one.
DEFAULT_MANIFESTS = ("manifest.lock.json", "build/prod.lock.json")
_MANIFEST_HELP = (
    "Lock manifest path or URL [env REGCTL_MANIFEST; default: manifest.lock.json, "
    "then build/prod.lock.json]."
)
_CLIENT_EXIT = {
    0: "ok",
    3: "unknown provider, model, capability or template; nothing resolved",
    4: "manifest missing or not trusted (digest, version)",
} | USAGE_EXIT


def _manifest_option(fn: Any) -> Any:
    return click.option(
        "--manifest",
        "manifest",
        envvar="REGCTL_MANIFEST",
        default=None,
        show_default=False,
        metavar="FILE|URL",
        help=_MANIFEST_HELP,
    )(fn)


def find_manifest(given: str | None) -> str:
    """``--manifest``/``$REGCTL_MANIFEST`` if set, else the first default that exists."""
    from regctl.client.errors import ManifestNotFound

    if given:
        return given
    for candidate in DEFAULT_MANIFESTS:
        if Path(candidate).is_file():
            return candidate
    raise ManifestNotFound(
        f"no manifest: pass --manifest FILE|URL or set $REGCTL_MANIFEST (looked for "
        f"{' and '.join(DEFAULT_MANIFESTS)} here; `regctl compile -o FILE` writes one)"
    )


def _load(manifest: str | None) -> Any:
    from regctl.client import Registry

    return Registry.load(find_manifest(manifest))


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def parse_needs(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``--need context=150000 --need tools --need vision=false`` -> a ``needs`` mapping."""
    needs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not name:
            raise UsageError(f"--need expects NAME or NAME=VALUE, got {pair!r}")
        if not sep or text.lower() in ("true", "yes"):
            needs[name] = True
        elif text.lower() in ("false", "no"):
            needs[name] = False
        else:
            try:
                needs[name] = int(text) if text.isdigit() else float(text)
            except ValueError:
                raise UsageError(
                    f"--need {name}= takes a number or true/false, got {text!r}"
                ) from None
    return needs


def _json_alias(fn: Any) -> Any:
    return deprecated_alias("--json", "--format json", "fmt", value="json")(fn)


@main.command(
    "resolve",
    epilog=epilog(
        [
            "regctl resolve --capability chat",
            "regctl resolve -c chat --need context=150000 --need tools --prefer cheapest",
            "regctl resolve -p openai --fallback --manifest build/prod.lock.json",
            "regctl resolve -m anthropic/claude-3-5-sonnet-20241022",
        ],
        _CLIENT_EXIT,
    ),
)
@click.option("--provider", "-p", shell_complete=complete_provider, help="Provider id.")
@click.option("--capability", "-c", default="chat", show_default=True, help="Capability.")
@click.option(
    "--model",
    "-m",
    shell_complete=complete_model,
    help="Pin a model ('provider/model', or a model id with -p).",
)
@click.option("--template", "-t", help="Resolve through a prompt template.")
@click.option(
    "--fallback",
    is_flag=True,
    help="Also try the registry default and fallback providers after --provider.",
)
@click.option(
    "--need",
    "needs",
    multiple=True,
    metavar="NAME[=VALUE]",
    help="A requirement (repeat): context=N, max_output=N, max_input_per_mtok=USD, "
    "max_output_per_mtok=USD, or a capability/supports flag (tools, vision, tools=false).",
)
@click.option(
    "--prefer",
    type=click.Choice(["cheapest", "newest", "largest-context"]),
    default=None,
    help="Rank the models that meet the needs (default: resolution order).",
)
@click.option(
    "--scope",
    type=click.Choice(["order", "all"]),
    default="order",
    show_default=True,
    help="order: default and fallback providers; all: every enabled provider.",
)
@_manifest_option
def resolve_cmd(
    provider: str | None,
    capability: str,
    model: str | None,
    template: str | None,
    fallback: bool,
    needs: tuple[str, ...],
    prefer: str | None,
    scope: str,
    manifest: str | None,
) -> None:
    """Print the model a call would use, as JSON (exit 3 when there is none).

    The JSON's "via" says which step chose the model and, with --need/--prefer,
    why it won (exit 3 also when nothing meets the needs).
    """
    wanted = parse_needs(needs)
    selecting = bool(wanted) or prefer is not None or scope != "order"
    registry = _load(manifest)
    chosen = registry.resolve(
        capability,
        provider=provider,
        model=model,
        template=template,
        # Selection weighs the whole order: default and fallbacks, unless -p narrows it.
        fallback=fallback or (selecting and provider is None),
        needs=wanted,
        prefer=prefer,
        scope=scope,
    )
    _echo_json(chosen.as_dict())


@main.command(
    "models",
    epilog=epilog(
        ["regctl models -c chat --active", "regctl models -p openai --format json"],
        _CLIENT_EXIT,
    ),
)
@click.option("--provider", "-p", shell_complete=complete_provider, help="Only this provider.")
@click.option("--capability", "-c", help="Only models with this capability.")
@click.option("--active", is_flag=True, help="Only active models (for --capability if given).")
@format_option(["text", "json"])
@_json_alias
@_manifest_option
def models_cmd(
    provider: str | None, capability: str | None, active: bool, fmt: str, manifest: str | None
) -> None:
    """List the manifest's models."""
    fmt = deprecated_value("fmt", fmt, "text")
    registry = _load(manifest)
    found = registry.models(provider, capability, True if active else None)
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
        _CLIENT_EXIT | {6: "the model has no price for what was asked"},
    ),
)
@click.argument(
    "model_ref", nargs=-1, required=True, metavar="PROVIDER/MODEL", shell_complete=complete_model
)
@token_options(cached=True)
@format_option(["text", "json"])
@_json_alias
@_manifest_option
def cost_cmd(
    model_ref: tuple[str, ...],
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int,
    fmt: str,
    manifest: str | None,
) -> None:
    """Print the USD cost of one call to a model (`provider/model` or `provider model`)."""
    from regctl.cli.options import split_model_ref

    provider, model_id = split_model_ref(model_ref)
    model = f"{provider}/{model_id}"
    fmt = deprecated_value("fmt", fmt, "text")
    registry = _load(manifest)
    usd = registry.cost(model, input_tokens, output_tokens, cached_tokens)
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
        ["regctl doctor --manifest build/prod.lock.json", "regctl doctor --format json"],
        {
            0: "every enabled provider has a key here",
            1: "a provider's credentials resolve to nothing",
        }
        | _CLIENT_EXIT,
    ),
)
@format_option(["text", "json"])
@_manifest_option
def doctor_cmd(fmt: str, manifest: str | None) -> None:
    """Check per provider whether a key resolves here (never prints a value).

    Exits 1 when an enabled provider's credential chain resolves to nothing.
    """
    from regctl.client import SecretError

    registry = _load(manifest)
    ok_mark, bad_mark = _marks()
    checks: list[dict[str, Any]] = []
    for pid, provider in sorted(registry.providers.items()):
        if not provider.enabled:
            checks.append({"provider": pid, "status": "disabled", "detail": "disabled"})
        elif not provider.allow_shared_credentials:
            detail = "personal key required (allow_shared_credentials: false)"
            checks.append({"provider": pid, "status": "skipped", "detail": detail})
        elif not provider.credentials:
            # e.g. bedrock, authenticated by the cloud SDK's own chain: nothing to check.
            checks.append({"provider": pid, "status": "skipped", "detail": "no credentials listed"})
        else:
            try:
                key = provider.api_key()
            except SecretError as exc:
                checks.append({"provider": pid, "status": "fail", "detail": str(exc)})
            else:
                detail = f"key from {key.source}"
                checks.append({"provider": pid, "status": "ok", "detail": detail})
    failed = sum(1 for c in checks if c["status"] == "fail")
    if fmt == "json":
        env = registry.environment
        head = {"manifest": str(registry.source), "digest": registry.digest, "environment": env}
        _echo_json(head | {"providers": checks, "ok": not failed})
    else:
        env_shown = registry.environment or "(base)"
        click.echo(f"manifest {registry.source} {registry.digest} env={env_shown}")
        marks = {"ok": ok_mark, "fail": bad_mark}
        for c in checks:
            click.echo(f"{marks.get(c['status'], '-')}  {c['provider']}: {c['detail']}")
    if failed:
        sys.exit(1)
