"""`regctl ls`, `regctl show`, `regctl cost-compare`, `regctl templates`: commands that read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regctl.base.errors import ProblemsFound, RegctlError
from regctl.base.i18n import msg
from regctl.cli.app import exit_with, main
from regctl.cli.complete import complete_entry, complete_provider, env_option
from regctl.cli.options import (
    epilog,
    format_option,
    registry_option,
    sort_option,
    token_options,
)
from regctl.messages.problems import Severity

if TYPE_CHECKING:
    from regctl.pipeline.compile import CompileResult

_env_option = env_option("Show this environment's effective view (default: the base registry).")


def _template_files(registry: Path, env: str | None) -> dict[str, str]:
    """Template id -> the file that defines it (for annotations)."""
    from regctl.pipeline.validate import validate

    report = validate(registry, envs=[] if env is None else [env])
    view = report.views.get(env)
    return {tid: t.file for tid, t in view.templates.items()} if view else {}


def compiled(registry: Path, env: str | None, fmt: str = "text") -> dict[str, Any]:
    """The manifest of ``registry`` (in memory); errors are printed and end the command."""
    manifest = compiled_result(registry, env, fmt).manifest
    assert manifest is not None
    return manifest


def compiled_result(registry: Path, env: str | None, fmt: str = "text") -> CompileResult:
    """The compiled ``registry`` with its validation report; errors end the command."""
    from regctl.pipeline.compile import compile_registry

    result = compile_registry(registry, env=env)
    if result.manifest is None:
        errors = [p for p in result.problems if p.severity is Severity.ERROR]
        if fmt == "github":
            from regctl.messages.reporters import github

            click.echo(github(errors), nl=False)
            raise ProblemsFound(len(errors))
        for p in errors:
            click.echo(f"{p.location}: error [{p.rule}] {p.message}", err=True)
        raise ProblemsFound(len(errors))
    return result


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))


@main.group(
    "ls",
    epilog=epilog(["regctl ls models --capability chat --active"], "ls"),
)
def ls_group() -> None:
    """List what the registry holds."""


@ls_group.command(
    "models",
    epilog=epilog(
        [
            "regctl ls models --capability chat --sort price",
            "regctl ls models registry/ --provider openai --format json",
        ],
        "ls models",
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
@click.option("--capability", "-c", default=None, help="Only models with this capability.")
@click.option(
    "--active/--inactive",
    default=None,
    help="Only active models (for --capability if given), or only the others.",
)
@sort_option()
@format_option(["text", "json"])
@_env_option
@registry_option(positional=True)
def ls_models(
    providers: tuple[str, ...],
    capability: str | None,
    active: bool | None,
    sort: str,
    fmt: str,
    env: str | None,
    registry: Path,
) -> None:
    """The models of the registry as a table."""
    from regctl.authoring.inventory import models_table, select_models

    manifest = compiled(registry, env)
    models = select_models(
        manifest, providers=providers, capability=capability, active=active, sort=sort
    )
    if fmt == "json":
        _json([m for _, m in models])
    elif models:
        click.echo(models_table(models))
    else:
        click.echo(msg("no models match"), err=True)


@ls_group.command(
    "providers",
    epilog=epilog(
        ["regctl ls providers", "regctl ls providers --env prod --format json"], "ls providers"
    ),
)
@format_option(["text", "json"])
@_env_option
@registry_option(positional=True)
def ls_providers(fmt: str, env: str | None, registry: Path) -> None:
    """The providers of the registry with their active models."""
    from regctl.authoring.inventory import table

    manifest = compiled(registry, env)
    rows, data = [], []
    for pid, p in sorted(manifest.get("providers", {}).items()):
        active = manifest.get("active", {}).get(pid, {})
        data.append(
            {
                "id": pid,
                "api": p.get("api"),
                "enabled": p.get("enabled", True),
                "active": dict(sorted(active.items())),
            }
        )
        shown = ", ".join(f"{c}={r.partition('/')[2]}" for c, r in sorted(active.items()))
        rows.append([pid, p.get("api", ""), "yes" if p.get("enabled", True) else "no", shown])
    if fmt == "json":
        _json(data)
    else:
        click.echo(table(["PROVIDER", "API", "ENABLED", "ACTIVE"], rows))


@main.command(
    "show",
    epilog=epilog(
        ["regctl show openai", "regctl show openai/gpt-4o --env prod --format json"],
        "show",
    ),
)
@click.argument("target", metavar="PROVIDER[/MODEL]", shell_complete=complete_entry)
@format_option(["text", "json"])
@_env_option
@registry_option()
def show_cmd(target: str, fmt: str, env: str | None, registry: Path) -> None:
    """Every field of a provider or a model with the file:line it comes from."""
    from regctl.authoring.inventory import Sources, show_data, show_entry

    result = compiled_result(registry, env)
    assert result.manifest is not None
    sources = Sources.of(result.report, env)
    if fmt == "json":
        _json(show_data(result.manifest, sources, target, env))
    else:
        click.echo(show_entry(result.manifest, sources, target, env))


@main.command(
    "cost-compare",
    epilog=epilog(
        ["regctl cost-compare --input-tokens 2000 --output-tokens 500 --capability chat"],
        "cost-compare",
    ),
)
@token_options()
@click.option("--capability", "-c", default=None, help="Only models with this capability.")
@click.option("--active", is_flag=True, help="Only active models.")
@format_option(["text", "json"])
@_env_option
@registry_option(positional=True)
def cost_compare(
    input_tokens: int,
    output_tokens: int,
    capability: str | None,
    active: bool,
    fmt: str,
    env: str | None,
    registry: Path,
) -> None:
    """Rank models by the USD price of one call with this many input and output tokens.

    Models whose context window cannot hold the input are left out (and listed).
    """
    from regctl.authoring.inventory import cost_ranking, cost_table

    manifest = compiled(registry, env)
    rows, unpriced, too_small = cost_ranking(
        manifest, input_tokens, output_tokens, capability=capability, active=active
    )
    if not rows:
        small = (
            f" ({len(too_small)} left out: context window < {input_tokens})" if too_small else ""
        )
        raise RegctlError(f"no priced model matches{small}")
    if fmt == "json":
        ranked = [
            {
                "model": r.ref,
                "usd": round(r.usd, 9),
                "input_per_mtok": r.input_per_mtok,
                "output_per_mtok": r.output_per_mtok,
            }
            for r in rows
        ]
        _json({"ranking": ranked, "unpriced": unpriced, "context_too_small": too_small})
        return
    click.echo(cost_table(rows))
    if unpriced:
        click.echo(f"without pricing: {', '.join(unpriced)}")
    if too_small:
        click.echo(
            f"context window too small for {input_tokens} input tokens: {', '.join(too_small)}"
        )


@main.group(
    "templates",
    epilog=epilog(["regctl templates test"], "templates"),
)
def templates_group() -> None:
    """Render and test prompt templates."""


@templates_group.command(
    "render",
    epilog=epilog(
        ["regctl templates render summarize --var text='hello' --format json"],
        "templates render",
    ),
)
@click.argument("template_id")
@click.option("--var", "pairs", multiple=True, metavar="NAME=VALUE", help="A variable (repeat).")
@click.option(
    "--provider",
    default=None,
    shell_complete=complete_provider,
    help="Use this provider's active model.",
)
@format_option(["text", "json"])
@_env_option
@registry_option()
def templates_render(
    template_id: str,
    pairs: tuple[str, ...],
    provider: str | None,
    fmt: str,
    env: str | None,
    registry: Path,
) -> None:
    """Render TEMPLATE_ID with --var values and print the messages and the model."""
    from regctl.authoring.prompts import (
        get_template,
        parse_vars,
        resolve_template_model,
        takes_system_prompt,
    )
    from regctl.client.render import RenderError, render

    variables = parse_vars(pairs)
    manifest = compiled(registry, env)
    entry = get_template(manifest, template_id)
    model = resolve_template_model(manifest, entry, provider)
    try:
        out = render(entry, model, variables, system_prompt=takes_system_prompt(manifest, model))
    except RenderError as exc:
        raise RegctlError(str(exc)) from None
    if fmt == "json":
        doc: dict[str, Any] = {"template": out.template, "model": model}
        doc.update(messages=out.messages, params=out.params)
        _json(doc)
        return
    click.echo(f"model: {model or '(none active)'}")
    for message in out.messages:
        click.echo(f"--- {message['role']}")
        click.echo(message["content"].rstrip("\n"))


@templates_group.command(
    "test",
    epilog=epilog(
        ["regctl templates test --env prod"],
        "templates test",
    ),
)
@_env_option
@registry_option(positional=True)
@format_option(["text", "github"], help="github: an annotation on each failing template's file.")
def templates_test(env: str | None, registry: Path, fmt: str) -> None:
    """Render every template with its defaults and example values; exit 1 on a failure."""
    from regctl.authoring.prompts import test_templates
    from regctl.messages.reporters import annotation

    results = test_templates(compiled(registry, env, fmt))
    files = _template_files(registry, env) if fmt == "github" else {}
    for r in results:
        if r.error and fmt == "github":
            where = files.get(r.id, str(registry))
            click.echo(annotation("error", where, f"template {r.id}: {r.error}", title="template"))
        elif r.error:
            click.echo(f"FAIL {r.id}: {r.error}")
        else:
            click.echo(f"ok   {r.id} -> {r.model}")
    failed = sum(1 for r in results if r.error)
    click.echo(f"{len(results)} template(s), {failed} failed")
    exit_with(1 if failed else 0)
