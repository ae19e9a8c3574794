"""`regctl ls`, `regctl show`, `regctl cost-compare`, `regctl templates`: commands that read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from regctl.cli.app import exit_with, main
from regctl.cli.authoring import registry_option
from regctl.errors import ProblemsFound, RegctlError
from regctl.problems import Severity

_env_option = click.option("--env", default=None, help="Show this environment's effective view.")


def compiled(registry: Path, env: str | None) -> dict[str, Any]:
    """The manifest of ``registry`` (in memory); errors are printed and end the command."""
    from regctl.compile import compile_registry

    result = compile_registry(registry, env=env)
    if result.manifest is None:
        errors = [p for p in result.problems if p.severity is Severity.ERROR]
        for p in errors:
            click.echo(f"{p.location}: error [{p.rule}] {p.message}", err=True)
        raise ProblemsFound(len(errors))
    return result.manifest


@main.group("ls")
def ls_group() -> None:
    """List what the registry holds."""


@ls_group.command("models")
@click.option("--provider", "providers", multiple=True, help="Only this provider (repeat).")
@click.option("--capability", default=None, help="Only models with this capability.")
@click.option("--active", is_flag=True, help="Only active models (for --capability if given).")
@click.option(
    "--sort",
    type=click.Choice(["name", "price", "context", "released"]),
    default="name",
    show_default=True,
    help="price: cheapest first; context: largest first; released: newest first.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_env_option
@registry_option
def ls_models(
    providers: tuple[str, ...],
    capability: str | None,
    active: bool,
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
        click.echo(json.dumps([m for _, m in models], indent=2, sort_keys=True))
    elif models:
        click.echo(models_table(models))
    else:
        click.echo("no models match", err=True)


@ls_group.command("providers")
@_env_option
@registry_option
def ls_providers(env: str | None, registry: Path) -> None:
    """The providers of the registry with their active models."""
    from regctl.authoring.inventory import table

    manifest = compiled(registry, env)
    rows = []
    for pid, p in sorted(manifest.get("providers", {}).items()):
        active = manifest.get("active", {}).get(pid, {})
        shown = ", ".join(f"{c}={r.partition('/')[2]}" for c, r in sorted(active.items()))
        rows.append([pid, p.get("api", ""), "yes" if p.get("enabled", True) else "no", shown])
    click.echo(table(["PROVIDER", "API", "ENABLED", "ACTIVE"], rows))


@main.command("show")
@click.argument("target", metavar="PROVIDER[/MODEL]")
@_env_option
@registry_option
def show_cmd(target: str, env: str | None, registry: Path) -> None:
    """Every field of a provider or a model with the file:line it comes from."""
    from regctl.authoring.inventory import show_entry
    from regctl.authoring.rtindex import load_index

    manifest = compiled(registry, env)
    click.echo(show_entry(manifest, load_index(registry), target, env))


@main.command("cost-compare")
@click.option("--input", "input_tokens", type=click.IntRange(min=0), required=True)
@click.option("--output", "output_tokens", type=click.IntRange(min=0), required=True)
@click.option("--capability", default=None, help="Only models with this capability.")
@click.option("--active", is_flag=True, help="Only active models.")
@_env_option
@registry_option
def cost_compare(
    input_tokens: int,
    output_tokens: int,
    capability: str | None,
    active: bool,
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
    click.echo(cost_table(rows))
    if unpriced:
        click.echo(f"without pricing: {', '.join(unpriced)}")
    if too_small:
        click.echo(
            f"context window too small for {input_tokens} input tokens: {', '.join(too_small)}"
        )


@main.group("templates")
def templates_group() -> None:
    """Render and test prompt templates."""


@templates_group.command("render")
@click.argument("template_id")
@click.option("--var", "pairs", multiple=True, metavar="NAME=VALUE", help="A variable (repeat).")
@click.option("--provider", default=None, help="Use this provider's active model.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@_env_option
@registry_option
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
        click.echo(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False))
        return
    click.echo(f"model: {model or '(none active)'}")
    for msg in out.messages:
        click.echo(f"--- {msg['role']}")
        click.echo(msg["content"].rstrip("\n"))


@templates_group.command("test")
@_env_option
@registry_option
def templates_test(env: str | None, registry: Path) -> None:
    """Render every template with its defaults and example values; exit 1 on a failure."""
    from regctl.authoring.prompts import test_templates

    results = test_templates(compiled(registry, env))
    for r in results:
        if r.error:
            click.echo(f"FAIL {r.id}: {r.error}")
        else:
            click.echo(f"ok   {r.id} -> {r.model}")
    failed = sum(1 for r in results if r.error)
    click.echo(f"{len(results)} template(s), {failed} failed")
    exit_with(1 if failed else 0)
