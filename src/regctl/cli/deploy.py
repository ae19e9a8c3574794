"""`regctl plan`, `regctl apply`, `regctl rollback`: the GitOps half of the CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from regctl.base.canonical import dumps_pretty
from regctl.base.errors import ProblemsFound, RegctlError, UsageError
from regctl.base.i18n import msg, tr
from regctl.cli.app import exit_with, main
from regctl.cli.complete import env_option
from regctl.cli.options import (
    deprecated_alias,
    deprecated_value,
    epilog,
    format_option,
    output_option,
    registry_option,
    resolve_registry,
)
from regctl.cli.summary import add_summary, md_text, summary_option, summary_problems
from regctl.deploy.apply import (
    ResolvedTarget,
    apply,
    check_fresh,
    compile_manifest,
    find_in_history,
    history_manifest,
    load_plan,
    plan_for,
    resolve_target,
)
from regctl.deploy.plan import Plan
from regctl.deploy.render import RENDERERS, render_text, short
from regctl.deploy.targets import Deployed, WriteResult, open_target
from regctl.io.fsutil import atomic_write
from regctl.messages import reporters

_env_option = env_option("Environment to deploy (default: the base registry).")
_target_option = click.option(
    "--target",
    "target_uri",
    metavar="URI",
    help=(
        "file:PATH, http(s)://URL, s3://BUCKET/KEY or etcd://HOST:PORT/KEY "
        "(default: the Registry document's targets[ENV])."
    ),
)


def _color() -> bool:
    # no-color.org: NO_COLOR set to a non-empty value disables colour; empty is unset
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _compile(root: Path, env: str | None) -> tuple[dict[str, Any], str]:
    """Compile, show problems on stderr (warnings too), fail on errors."""
    result = compile_manifest(root, env)
    if result.problems:
        click.echo(reporters.text(result.problems), err=True, nl=False)
    if result.manifest is None:
        summary_problems(result.problems)
        raise ProblemsFound(len(result.problems))
    return result.manifest, result.text


def _confirm(rt: ResolvedTarget, auto_approve: bool, reviewed: bool) -> None:
    """Ask on a terminal; off a terminal only a saved (reviewed) plan or --auto-approve pass."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        if reviewed:
            return
        raise UsageError(
            msg(
                "refusing to apply without confirmation (stdin is not a terminal); "
                "pass --auto-approve or apply a saved plan"
            )
        )
    answer = click.prompt(
        tr("Apply to {target}? Only 'yes' will be accepted", target=rt.display),
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        raise RegctlError(msg("apply cancelled"))


def _report(result: WriteResult, rt: ResolvedTarget) -> None:
    was = result.previous_digest or msg("nothing")
    add_summary(
        f"**Applied** {md_text(result.digest)} to {md_text(rt.display)} "
        f"(it held {md_text(str(was))})."
    )
    click.echo(
        tr(
            "Applied {digest} to {target} (it held {was}).",
            digest=result.digest,
            target=result.location,
            was=was,
        )
    )


@main.command(
    epilog=epilog(
        [
            "regctl plan --env prod",
            "regctl plan registry/ --env prod -o plan.json && regctl apply plan.json",
        ],
        "plan",
    )
)
@registry_option(positional=True)
@_env_option
@_target_option
@format_option(["text", "json", "markdown"])
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0: no changes, 2: changes, 1: error.")
@output_option("Save the plan to FILE for `regctl apply FILE`.")
@deprecated_alias("--out", "-o/--output", "output", metavar="FILE", type=click.Path(path_type=Path))
@summary_option
def plan(
    registry: Path,
    env: str | None,
    target_uri: str | None,
    fmt: str,
    detailed_exitcode: bool,
    output: Path | None,
) -> None:
    """Compile the registry and show what apply would change at the target."""
    out = deprecated_value("output", output)
    try:
        manifest, text = _compile(registry, env)
        rt = resolve_target(registry, env, target_uri)
        the_plan, _ = plan_for(manifest, text, rt)
    except RegctlError as exc:
        if detailed_exitcode:
            exc.exit_code = 1  # 2 means "changes" here, so every error is 1
        raise
    if fmt == "text":
        click.echo(render_text(the_plan, color=_color()), nl=False)
    else:
        click.echo(RENDERERS[fmt](the_plan), nl=False)
    add_summary(RENDERERS["markdown"](the_plan))
    if out is not None:
        atomic_write(out, dumps_pretty(the_plan.as_dict(with_manifest=True)).encode())
        click.echo(
            tr("Saved the plan to {path}; apply it with: regctl apply {path}", path=out), err=True
        )
    if detailed_exitcode:
        exit_with(2 if the_plan.changed else 0)


def _apply_saved(
    path: Path, env: str | None, target_uri: str | None
) -> tuple[Plan, ResolvedTarget]:
    the_plan = load_plan(path)
    if env is not None and env != the_plan.environment:
        held = the_plan.environment
        shown = msg("environment '{env}'", env=held) if held else msg("the base registry")
        raise UsageError(msg("the plan is for {what}, not '{env}'", what=shown, env=env))
    if target_uri:
        rt = resolve_target(None, env, target_uri)
    else:
        target = open_target(the_plan.target_location, Path.cwd(), display=the_plan.target)
        rt = ResolvedTarget(target, the_plan.target, the_plan.target_location)
    return the_plan, rt


@main.command(
    name="apply",
    epilog=epilog(
        ["regctl apply plan.json", "regctl apply --env prod --auto-approve"],
        "apply",
    ),
)
@click.argument(
    "source", required=False, metavar="[PLAN|REGISTRY]", type=click.Path(path_type=Path)
)
@registry_option(optional=True)
@_env_option
@_target_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Overwrite a target that holds a non-manifest.")
@click.option(
    "--static",
    "static",
    metavar="DIR|s3://BUCKET/PREFIX",
    default=None,
    help="After the apply, publish the applied manifest's read API as static files there "
    "(as `regctl export static`): a folder for nginx, or an S3-compatible store.",
)
@summary_option
def apply_cmd(
    source: Path | None,
    registry: Path | None,
    env: str | None,
    target_uri: str | None,
    auto_approve: bool,
    force: bool,
    static: str | None,
) -> None:
    """Write the manifest to the target from a saved plan file or from the registry.

    With --static, the read API of the manifest the target now holds is published as
    static files too (also when nothing changed, so that a first publication or a lost
    folder is filled); a failed apply publishes nothing.
    """
    if source is None:
        source = registry or resolve_registry(None, None)  # no registry: the one message
    assert source is not None
    reviewed = source.is_file()
    if reviewed:
        the_plan, rt = _apply_saved(source, env, target_uri)
        deployed = rt.target.read()
        check_fresh(the_plan, deployed)
    else:
        manifest, text = _compile(source, env)
        rt = resolve_target(source, env, target_uri)
        the_plan, deployed = plan_for(manifest, text, rt, force=force)
    click.echo(render_text(the_plan, color=_color()), nl=False)
    add_summary(RENDERERS["markdown"](the_plan))
    if the_plan.changed:
        _confirm(rt, auto_approve, reviewed)
        _report(apply(the_plan, rt, deployed), rt)
    if static is not None:
        _publish_static(the_plan, static)


def _publish_static(the_plan: Plan, where: str) -> None:
    """The applied manifest's read API as static files at ``where`` (a folder or s3://)."""
    import tempfile

    from regctl.cli.export_static_cmd import publish

    text = the_plan.manifest_text
    if text is None:  # a plan always carries its manifest; nothing to publish otherwise
        return
    with tempfile.TemporaryDirectory(prefix="regctl-apply-static-") as scratch:
        path = Path(scratch) / "manifest.lock.json"
        atomic_write(path, text.encode("utf-8"))
        if where.startswith("s3://"):
            publish(str(path), None, where)
        else:
            publish(str(path), Path(where), None)


@main.command(
    epilog=epilog(
        ["regctl rollback --env prod --list", "regctl rollback --env prod --to sha256:4f2a"],
        "rollback",
    )
)
@registry_option(positional=True, optional=True)
@_env_option
@_target_option
@click.option("--to", "to", metavar="DIGEST", help="Digest (or unique prefix) to restore.")
@click.option("--list", "list_", is_flag=True, help="List the target's history and exit.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
def rollback(
    registry: Path | None,
    env: str | None,
    target_uri: str | None,
    to: str | None,
    list_: bool,
    auto_approve: bool,
) -> None:
    """Restore an earlier manifest from the target's history (default: the previous one)."""
    if registry is None and target_uri is None:
        registry = resolve_registry(None, None)  # nothing names the target: the one message
    rt = resolve_target(registry, env, target_uri)
    deployed = rt.target.read()
    if list_:
        _list_history(rt, deployed)
        return
    digest = find_in_history(rt, to, deployed.digest)
    manifest, text = history_manifest(rt, digest)
    # Rollback is how one recovers from a broken target, so it may replace garbage.
    the_plan, _ = plan_for(manifest, text, rt, force=True, deployed=deployed)
    click.echo(render_text(the_plan, color=_color()), nl=False)
    if not the_plan.changed:
        return
    _confirm(rt, auto_approve, reviewed=False)
    _report(apply(the_plan, rt, deployed), rt)


def _list_history(rt: ResolvedTarget, deployed: Deployed) -> None:
    entries = rt.target.history()
    if not entries:
        click.echo(tr("target {target} has no history", target=rt.display))
        return
    # A digest applied twice (apply A, B, then A again) is listed twice: only its
    # latest entry is what the target holds now.
    current = max((i for i, e in enumerate(entries) if e.digest == deployed.digest), default=-1)
    for i, entry in enumerate(entries):
        mark = "  " + tr("(deployed)") if i == current else ""
        click.echo(f"{entry.applied_at or '?':25} {entry.digest}{mark}")
    click.echo(
        tr("{n} apply(s); deployed: {digest}", n=len(entries), digest=short(deployed.digest))
    )
