"""`regctl models`, `regctl cost` and the options of the runtime client's commands
(`resolve`/`candidates` in resolve_cmd.py, `doctor` in doctor_cmd.py).

The manifest comes from ``--manifest``, else ``$REGCTL_MANIFEST``, else
``manifest.lock.json``, else ``build/prod.lock.json`` (what the quick start compiles).
Exit codes (regctl.cli.exitcodes): 0 ok; 1 ``doctor`` found a reference that does not
resolve; 2 usage, no manifest found too; 3 nothing resolved / unknown name; 4 the
manifest cannot be read or trusted; 5 secret error; 6 pricing error (the codes of
:mod:`regctl.client.errors`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import click

from regctl.base.i18n import msg
from regctl.cli.app import main
from regctl.cli.complete import complete_model, complete_provider
from regctl.cli.manifest_source import announce, load
from regctl.cli.options import (
    deprecated_alias,
    deprecated_value,
    epilog,
    format_option,
    sort_option,
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
    return _manifest_option(fn)


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
        [
            "regctl models -c chat --active --sort price",
            "regctl models -p openai --format json",
        ],
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
@sort_option()
@format_option(["text", "json"])
@_json_alias
@manifest_option
def models_cmd(
    providers: tuple[str, ...],
    capability: str | None,
    active: bool | None,
    sort: str,
    fmt: str,
    manifest: str | None,
    registry_dir: str | None,
    registry_env: str | None,
) -> None:
    """List the manifest's models (the table and order of `regctl ls models`)."""
    from regctl.authoring.inventory import models_table, select_models

    fmt = deprecated_value("fmt", fmt, "text")
    with errors_as_json(fmt == "json"):
        registry = load_registry(manifest, registry_dir, registry_env)
        if providers:  # each one checked (an unknown provider is an error with a did-you-mean)
            picked = {m.key: m for p in providers for m in registry.models(p, capability, active)}
            found = list(picked.values())
        else:
            found = registry.models(None, capability, active)
    announce()
    # One order and one table for both listings: the manifest's entries as the lock
    # holds them (absent fields absent, not None), sorted by the registry listing's rules.
    by_key = {m.key: m for m in found}
    entries = {m.key: {k: v for k, v in m.as_dict().items() if v is not None} for m in found}
    ordered = select_models({"models": entries}, sort=sort)
    if fmt == "json":
        _echo_json([by_key[ref].as_dict() for ref, _ in ordered])
    elif ordered:
        click.echo(models_table(ordered))
    else:
        click.echo(msg("no models match"), err=True)


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
