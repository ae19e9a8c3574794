"""`regctl resolve` and `regctl candidates`: the resolution contract (docs/resolution.md).

Both take the question every reader takes (capability, provider, model, template,
params, fallback, needs, prefer, scope, strict, as-of date) and print JSON: the answer
(``Resolved.as_dict()``) or the candidates in order. Warnings go to stderr in the
user's language as well as into the JSON (whose text never changes with it).
"""

from __future__ import annotations

from typing import Any

import click

from regctl.base import i18n
from regctl.base.textsafe import safe_line
from regctl.cli.app import main
from regctl.cli.client_cmds import (
    echo_json,
    errors_as_json,
    load_registry,
    manifest_option,
)
from regctl.cli.complete import complete_model, complete_provider
from regctl.cli.manifest_source import announce
from regctl.cli.options import epilog
from regctl.client.query import parse_needs, parse_params


def _query_options(fn: Any) -> Any:
    options = [
        click.option("--provider", "-p", shell_complete=complete_provider, help="Provider id."),
        click.option("--capability", "-c", default="chat", show_default=True, help="Capability."),
        click.option(
            "--model",
            "-m",
            shell_complete=complete_model,
            help="Pin a model ('provider/model', or a model id with -p).",
        ),
        click.option("--template", "-t", help="Resolve through a prompt template."),
        click.option(
            "--param",
            "params",
            multiple=True,
            metavar="NAME=VALUE",
            help="A call parameter (repeat), over the template's and the defaults.",
        ),
        click.option(
            "--fallback/--no-fallback",
            default=None,
            help="--fallback: after --provider (or --model) also try the registry default and "
            "fallbacks; --no-fallback: the default provider only. Unset: -p means that "
            "provider only, no -p means the default, then the fallbacks.",
        ),
        click.option(
            "--need",
            "needs",
            multiple=True,
            metavar="NAME[=VALUE]",
            help="A requirement (repeat): context=N, max_output=N, max_input_per_mtok=USD, "
            "max_output_per_mtok=USD, or a capability/supports flag (tools, vision, "
            "tools=false).",
        ),
        click.option(
            "--prefer",
            default=None,
            metavar="cheapest|newest|largest-context",
            help="Rank the candidates that meet the needs (default: resolution order).",
        ),
        click.option(
            "--scope",
            default="order",
            show_default=True,
            metavar="order|all",
            help="order: the resolution order; all: then every other enabled provider.",
        ),
        click.option(
            "--strict", is_flag=True, help="Refuse what would be served with a warning (exit 3)."
        ),
        click.option(
            "--as-of",
            "today",
            default=None,
            metavar="YYYY-MM-DD",
            help="The day deprecation dates are compared with [default: today, UTC].",
        ),
        manifest_option,
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _ask(kw: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    registry = load_registry(kw.pop("manifest"), kw.pop("registry_dir"), kw.pop("registry_env"))
    kw["needs"] = parse_needs(kw["needs"])
    kw["params"] = parse_params(kw["params"]) or None
    return registry, kw


def _warn(answers: list[Any]) -> None:
    for w in dict.fromkeys(w for r in answers for w in r.warnings):
        line = f"{i18n._('warning')}: {i18n.localize(w.message)}"
        click.echo(safe_line(line), err=True)


@main.command(
    "resolve",
    epilog=epilog(
        [
            "regctl resolve --capability chat",
            "regctl resolve -c chat --need context=150000 --need tools --prefer cheapest",
            "regctl resolve -p openai --fallback --manifest build/prod.lock.json",
            "regctl resolve -m anthropic/claude-3-5-sonnet-20241022 --strict",
        ],
        "resolve",
    ),
)
@_query_options
def resolve_cmd(**kw: Any) -> None:
    """Print the model a call would use, as JSON (exit 3 when there is none).

    On an error the JSON is {"error": {"code", "message"}} (the codes of
    docs/resolution.md) and stderr has the one-line message.

    The contract is docs/resolution.md. "via" says which step chose the model
    (model, template, provider, default, fallback, scope); "warnings" what the
    caller should know (an inactive or deprecated pin, a capped max_tokens).
    """
    with errors_as_json():
        registry, q = _ask(kw)
        chosen = registry.resolve(**q)
    announce()
    _warn([chosen])
    echo_json(chosen.as_dict())


@main.command(
    "candidates",
    epilog=epilog(
        ["regctl candidates -c chat", "regctl candidates -p openai --fallback --need tools"],
        "candidates",
    ),
)
@_query_options
def candidates_cmd(**kw: Any) -> None:
    """Print every answer `resolve` could give, best first, as a JSON list (the order a
    retry loop walks; empty when nothing can serve)."""
    with errors_as_json():
        registry, q = _ask(kw)
        found = registry.candidates(**q)
    announce()
    _warn(found)
    echo_json([r.as_dict() for r in found])


@main.command(
    "active",
    epilog=epilog(
        [
            "regctl active openai",
            "regctl active anthropic -c vision --manifest build/prod.lock.json",
        ],
        "active",
    ),
)
@click.argument("provider", shell_complete=complete_provider)
@click.option("--capability", "-c", default="chat", show_default=True, help="Capability.")
@manifest_option
def active_cmd(
    provider: str,
    capability: str,
    manifest: str | None,
    registry_dir: str | None,
    registry_env: str | None,
) -> None:
    """Print the provider's one active model for a capability, as JSON (exit 3 when it
    has none: a disabled provider has none; the same as GET /v1/providers/P/active)."""
    from regctl.base.i18n import msg
    from regctl.client.errors import NoActiveModel

    with errors_as_json():
        registry = load_registry(manifest, registry_dir, registry_env)
        model = registry.active_model(provider, capability)
        if model is None:
            raise NoActiveModel(
                msg(
                    "provider '{provider}' has no active model for capability '{capability}'",
                    provider=provider,
                    capability=capability,
                )
            )
    announce()
    echo_json(model.as_dict())
