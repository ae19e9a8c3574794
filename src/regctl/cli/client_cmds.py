"""`regctl resolve`, `regctl models`, `regctl cost`, `regctl doctor` (the runtime client's view).

The manifest comes from ``--manifest``, else ``$REGCTL_MANIFEST``, else
``manifest.lock.json``. Exit codes: 0 ok; 1 ``doctor`` found a provider without
a key; 2 usage; 3 nothing resolved / unknown name; 4 manifest missing or not
trusted; 5 secret error; 6 pricing error.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from regctl.cli.app import main
from regctl.errors import UsageError

_MANIFEST_HELP = "Lock manifest path or URL [env REGCTL_MANIFEST; default manifest.lock.json]."


def _manifest_option(fn: Any) -> Any:
    return click.option(
        "--manifest",
        "manifest",
        envvar="REGCTL_MANIFEST",
        default="manifest.lock.json",
        show_default=False,
        metavar="FILE|URL",
        help=_MANIFEST_HELP,
    )(fn)


def _load(manifest: str) -> Any:
    from regctl.client import Registry

    return Registry.load(manifest)


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


@main.command("resolve")
@click.option("--provider", "-p", help="Provider id.")
@click.option("--capability", "-c", default="chat", show_default=True, help="Capability.")
@click.option("--model", "-m", help="Pin a model ('provider/model', or a model id with -p).")
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
    manifest: str,
) -> None:
    """Print the model a call would use, as JSON (exit 3 when there is none).

    \b
    Example:
      regctl resolve -c chat --need context=150000 --need tools --prefer cheapest

    The JSON's "via" says which step chose the model and, with --need/--prefer,
    why it won. Exit codes: 0 chosen; 2 bad option; 3 nothing meets the needs or
    an unknown name; 4 manifest missing or not trusted.
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


@main.command("models")
@click.option("--provider", "-p", help="Only this provider's models.")
@click.option("--capability", "-c", help="Only models with this capability.")
@click.option("--active", is_flag=True, help="Only active models (for --capability if given).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_manifest_option
def models_cmd(
    provider: str | None, capability: str | None, active: bool, as_json: bool, manifest: str
) -> None:
    """List the manifest's models."""
    registry = _load(manifest)
    found = registry.models(provider, capability, True if active else None)
    if as_json:
        _echo_json([m.as_dict() for m in found])
        return
    rows = [(m.key, ",".join(m.capabilities), ",".join(m.active) or "-") for m in found]
    header = ("MODEL", "CAPABILITIES", "ACTIVE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    for r in [header, *rows]:
        click.echo(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip())


def _count(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, got {text!r}") from None
    if value < 0:
        raise UsageError(f"{name} must be >= 0, got {value}")
    return value


@main.command("cost")
@click.argument("model")
@click.option("--input", "input_tokens", default="0", metavar="N", help="Input tokens.")
@click.option("--output", "output_tokens", default="0", metavar="N", help="Output tokens.")
@click.option("--cached", "cached_tokens", default="0", metavar="N", help="Cached input tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_manifest_option
def cost_cmd(
    model: str,
    input_tokens: str,
    output_tokens: str,
    cached_tokens: str,
    as_json: bool,
    manifest: str,
) -> None:
    """Print the USD cost of a call to MODEL ('provider/model')."""
    n_in = _count("--input", input_tokens)
    n_out = _count("--output", output_tokens)
    n_cached = _count("--cached", cached_tokens)
    registry = _load(manifest)
    usd = registry.cost(model, n_in, n_out, n_cached)
    text = format(usd.normalize(), "f") if usd else "0"
    if as_json:
        _echo_json({"model": model, "usd": text, "input": n_in, "output": n_out})
    else:
        click.echo(f"{text} USD")


def _marks() -> tuple[str, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "OK", "FAIL"
    return "✓", "✗"


@main.command("doctor")
@_manifest_option
def doctor_cmd(manifest: str) -> None:
    """Check per provider whether a key resolves here (never prints a value).

    Exits 1 when an enabled provider's credential chain resolves to nothing.
    """
    from regctl.client import SecretError

    registry = _load(manifest)
    ok_mark, bad_mark = _marks()
    click.echo(f"manifest {registry.source} {registry.digest} env={registry.environment}")
    failed = 0
    for pid, provider in sorted(registry.providers.items()):
        if not provider.enabled:
            click.echo(f"-  {pid}: disabled")
            continue
        if not provider.allow_shared_credentials:
            click.echo(f"-  {pid}: personal key required (allow_shared_credentials: false)")
            continue
        if not provider.credentials:
            # e.g. bedrock, authenticated by the cloud SDK's own chain: nothing to check.
            click.echo(f"-  {pid}: no credentials listed")
            continue
        try:
            key = provider.api_key()
        except SecretError as exc:
            failed += 1
            click.echo(f"{bad_mark}  {pid}: {exc}")
        else:
            click.echo(f"{ok_mark}  {pid}: key from {key.source}")
    if failed:
        sys.exit(1)
