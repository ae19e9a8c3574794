"""`regctl init`, `regctl activate`, `regctl deactivate`, `regctl fmt`: commands that write."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from regctl.base.errors import RegctlError, UsageError
from regctl.base.i18n import N_, Msg, _, localize, msg, ngettext, tr
from regctl.cli.app import exit_with, main
from regctl.cli.complete import complete_model, env_option
from regctl.cli.options import (
    epilog,
    format_option,
    output_option,
    registry_option,
    split_model_ref,
)

if TYPE_CHECKING:
    from regctl.authoring.activate import Outcome


@main.command(
    "init",
    epilog=epilog(
        ["regctl init", "regctl init my-project && cd my-project && regctl validate"],
        "init",
    ),
)
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."))
def init_cmd(directory: Path) -> None:
    """Scaffold a registry in DIRECTORY (default: here) that validates and compiles.

    Writes registry/ (providers OpenAI, Anthropic and xAI, a dev and a prod environment, a
    prompt template), schemas/ (the JSON Schemas editors check the files against), the
    CI workflow and .pre-commit-config.yaml (regctl's hooks). Never overwrites a file.
    """
    from regctl.authoring.init import init_project

    written = init_project(directory)
    for path in written:
        click.echo(tr("created {path}", path=path))
    reg = directory / "registry"
    # -o: a manifest is a file, not something to dump on the terminal
    lock = directory / "build" / "dev.lock.json"
    command = f"regctl validate {reg} && regctl compile {reg} --env dev -o {lock}"
    click.echo(tr("next: {command}", command=command))


def _caps(pairs: tuple[str, ...]) -> str:
    return ", ".join(pairs)


def _run_active(
    provider: str,
    model: str,
    capabilities: tuple[str, ...],
    env: str | None,
    registry: Path,
    activate: bool,
    dry_run: bool,
    lock: Path | None = None,
) -> None:
    from regctl.authoring.activate import change_active

    out = change_active(
        registry, provider, model, capabilities, env=env, activate=activate, dry_run=dry_run
    )
    t = out.target
    scope = msg(" in environment '{env}'", env=env) if env else ""
    if t.before == t.after and not out.others:
        state = msg("active for {caps}", caps=_caps(t.after)) if t.after else msg("inactive")
        click.echo(
            tr(
                "{model} is already {state}{scope}; nothing to change",
                model=t.ref,
                state=state,
                scope=scope,
            )
        )
    else:
        _report_edit(out, activate, dry_run, scope)
    if lock is not None:
        _refresh_lock(registry, env, lock, dry_run, out)


def _report_edit(out: Outcome, activate: bool, dry_run: bool, scope: str) -> None:
    t = out.target
    if t.before != t.after:
        changed = [c for c in t.after if c not in t.before] if activate else list(t.removed)
        template = (
            N_("activated {model} for {caps}{scope}")
            if activate
            else N_("deactivated {model} for {caps}{scope}")
        )
        click.echo(localize(Msg(template, model=t.ref, caps=_caps(tuple(changed)), scope=scope)))
    if activate:
        n = len(out.others)
        if n:
            listed = ", ".join(f"{o.ref} ({_caps(o.removed)})" for o in out.others)
            click.echo(
                ngettext(
                    "{n} other model deactivated: {listed}",
                    "{n} other models deactivated: {listed}",
                    n,
                ).format(n=n, listed=listed)
            )
        else:
            click.echo(tr("no other models deactivated"))
    for f in out.files:
        click.echo(tr("would write {path}", path=f) if dry_run else tr("wrote {path}", path=f))


def _refresh_lock(registry: Path, env: str | None, lock: Path, dry_run: bool, out: Outcome) -> None:
    """Recompile a committed lock after an edit (``--compile -o LOCK``).

    For teams that commit locks: the edit and the lock land in one commit, so CI's
    ``compile --check`` stays green. The lock is written only when its content changed,
    so re-running is a no-op and an unchanged lock never shows up in a diff. A dry run
    compiles the registry with the edited files' new text in memory, so it reports what
    the real run would do.
    """
    from regctl.pipeline.compile import compile_registry, is_stale, write_lock

    overrides = out.overrides() if dry_run else None
    result = compile_registry(registry, env=env, overrides=overrides)
    if not result.ok:  # the edit was validated; this is a race with another writer
        raise RegctlError(msg("{path} not refreshed: the registry no longer compiles", path=lock))
    if not is_stale(lock, result):
        click.echo(tr("{path} is up to date ({digest})", path=lock, digest=result.digest))
    elif dry_run:
        click.echo(tr("would write {path} ({digest})", path=lock, digest=result.digest))
    else:
        write_lock(result, lock)
        click.echo(tr("wrote {path} ({digest})", path=lock, digest=result.digest))


def _active_command(name: str, activate: bool, doc: str) -> None:
    """Register ``activate`` or ``deactivate``: same arguments, opposite edit."""
    help_end = epilog(
        [
            f"regctl {name} openai/gpt-4o",
            f"regctl {name} openai gpt-4o-mini --capability chat --env prod --dry-run",
            f"regctl {name} openai/gpt-4o --env prod --compile -o locks/prod.lock.json",
        ],
        name,
    )

    @main.command(name, help=doc, epilog=help_end)
    @click.argument(
        "model_ref",
        nargs=-1,
        required=True,
        metavar="PROVIDER/MODEL",
        shell_complete=complete_model,
    )
    @click.option(
        "--capability",
        "-c",
        "capabilities",
        multiple=True,
        help="Only for this capability (repeat).",
    )
    @env_option("Edit this environment's overlay, not the base.")
    @registry_option()
    @click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
    @click.option(
        "--compile",
        "compile_lock",
        is_flag=True,
        help="Also recompile the committed lock given with -o (for teams that commit locks).",
    )
    @output_option("The lock file --compile refreshes.")
    def command(
        model_ref: tuple[str, ...],
        capabilities: tuple[str, ...],
        env: str | None,
        registry: Path,
        dry_run: bool,
        compile_lock: bool,
        output: Path | None,
    ) -> None:
        if compile_lock and output is None:
            raise UsageError(msg("--compile needs the lock file: -o FILE"))
        if output is not None and not compile_lock:
            raise UsageError(msg("-o names the lock --compile refreshes; add --compile"))
        provider, model = split_model_ref(model_ref)
        lock = output if compile_lock else None
        _run_active(provider, model, capabilities, env, registry, activate, dry_run, lock)


_active_command(
    "activate",
    True,
    "Make a model (PROVIDER/MODEL or PROVIDER MODEL) active, deactivating the "
    "provider's other models for the same capabilities. Edits the YAML in place, "
    "keeping comments, order and quoting; the result is validated before anything "
    "is written.",
)
_active_command(
    "deactivate",
    False,
    "Make a model (PROVIDER/MODEL or PROVIDER MODEL) inactive (for all its capabilities, "
    "or those given).",
)


@main.command(
    "fmt",
    epilog=epilog(
        ["regctl fmt", "regctl fmt --check registry/providers/openai.yaml"],
        "fmt",
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change.")
@format_option(["text", "github"], help="github: one annotation per file that would change.")
@registry_option(optional=True)
def fmt_cmd(paths: tuple[Path, ...], check: bool, fmt: str, registry: Path | None) -> None:
    """Format registry files (default: the whole registry).

    Keys go in the order of the reference (docs/reference.md), two-space indentation;
    comments are kept. With --check, exit 1 if any file would change.
    """
    from regctl.authoring.fmtcheck import format_paths

    if not paths:
        from regctl.cli.options import resolve_registry

        # None only when nothing was found: this raises the one "no registry" message
        paths = (registry or resolve_registry(None, None) or Path("registry"),)
    result = format_paths(list(paths), check=check)
    from regctl.messages.reporters import annotation

    for path, why in result.failed:
        if fmt == "github":
            click.echo(annotation("error", str(path), f"[yaml-syntax] {why}", title="yaml-syntax"))
        else:
            click.echo(f"{path}: {_('error')} [yaml-syntax] {localize(why)}", err=True)
    for path in result.changed:
        if fmt == "github" and check:
            note = f"would reformat {path}: run 'regctl fmt {path}'"  # machine output: English
            click.echo(annotation("error", str(path), note, title="fmt"))
        else:
            click.echo(
                tr("would reformat {path}", path=path)
                if check
                else tr("formatted {path}", path=path)
            )
    if result.failed:
        raise RegctlError(msg("{n} file(s) could not be formatted", n=len(result.failed)))
    if check and result.changed:
        click.echo(tr("{n} file(s) would be reformatted", n=len(result.changed)), err=True)
        exit_with(1)
    if check:  # every --check says so when all is well, in one line
        click.echo(tr("{n} file(s) already formatted", n=result.checked), err=True)
