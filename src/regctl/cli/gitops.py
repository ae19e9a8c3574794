"""Commands for CI and git hooks: ``target-path``, ``commit-back``, ``hook-validate``,
``hook-fmt``.

All are hidden from ``regctl --help``: the GitHub Action (``action.yml``) and the
pre-commit hooks (``.pre-commit-hooks.yaml``) call them; people use ``apply`` and
``validate``.
"""

from __future__ import annotations

from pathlib import Path

import click

from regctl.base.errors import ProblemsFound, UsageError
from regctl.cli.app import main
from regctl.cli.complete import env_option
from regctl.cli.options import epilog, format_option, registry_option
from regctl.cli.summary import add_summary, md_text, summary_option
from regctl.messages import reporters


@main.command(
    "target-path",
    hidden=True,
    epilog=epilog(
        ["regctl target-path registry --env prod"],
        "target-path",
    ),
)
@registry_option(positional=True)
@env_option("Environment whose target to show (default: the base registry).")
def target_path(registry: Path, env: str | None) -> None:
    """Print the file a file target writes (nothing for http(s) and other targets).

    The Action commits exactly this file back after apply: never its lock or history.
    """
    path = _file_target_text(registry, env)
    if path is not None:
        click.echo(path)


def _file_target(registry: Path, env: str | None) -> Path | None:
    """The file a file target of ``env`` writes; None for other targets."""
    path = _file_target_text(registry, env)
    return Path(path) if path is not None else None


def _file_target_text(registry: Path, env: str | None) -> str | None:
    """:func:`_file_target` as the resolved URI spells it (``target-path`` prints it so)."""
    from regctl.deploy.apply import registry_targets
    from regctl.deploy.targets import resolve_uri

    key = env or "default"
    targets = registry_targets(registry)
    if key not in targets:
        raise UsageError(f"no deploy target for '{key}' in the Registry document")
    uri = targets[key]
    if "://" in uri and not uri.startswith("file://"):
        return None
    return resolve_uri(uri, registry.resolve().parent)[len("file:") :]


@main.command(
    "commit-back",
    hidden=True,
    epilog=epilog(
        ["regctl commit-back registry --env dev --branch main --summary summary.md"],
        "commit-back",
    ),
)
@registry_option(positional=True)
@env_option("Environment whose file target to commit (default: the base registry).")
@click.option(
    "--branch",
    envvar="GITHUB_REF_NAME",
    required=True,
    metavar="BRANCH",
    help="Branch to push to [default: $GITHUB_REF_NAME].",
)
@click.option("--remote", default="origin", show_default=True, help="Remote to push to.")
@click.option(
    "--attempts",
    type=click.IntRange(1, 20),
    default=5,
    show_default=True,
    help="Pushes to try (each after a fresh fetch) before failing.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0, 60),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="First wait between attempts (doubled each time, plus jitter).",
)
@format_option(["text", "github"], help="github: the outcome as a workflow annotation too.")
@summary_option
def commit_back_cmd(
    registry: Path,
    env: str | None,
    branch: str,
    remote: str,
    attempts: int,
    backoff: float,
    fmt: str,
) -> None:
    """Commit the file target's manifest and push it to BRANCH, converging when it moves.

    Safe to re-run: a branch that already holds the manifest, or a newer one (a later
    apply), is left alone. Nothing for non-file targets or a missing file.
    """
    from regctl.deploy.commit_back import CommitBackError, commit_back

    path = _file_target(registry, env)
    name = env or "base"
    if path is None or not path.is_file():
        add_summary(f"**commit-back {name}:** no file target manifest here; nothing to commit.")
        click.echo(f"no file target manifest for {name} in this checkout; nothing to commit")
        return
    try:
        outcome = commit_back(
            path.parent,
            path,
            branch=branch,
            remote=remote,
            message=f"regctl apply {name}",
            attempts=attempts,
            backoff=backoff,
            log=lambda line: click.echo(line, err=True),
        )
    except CommitBackError as exc:
        if fmt == "github":
            click.echo(reporters.annotation("error", str(path), str(exc), title="commit-back"))
        raise
    if outcome.status == "committed":
        assert outcome.commit is not None
        done = f"committed the {name} manifest to {branch} as {outcome.commit[:12]}"
        text = f"{done} (attempt {outcome.attempts})"
    elif outcome.status == "unchanged":
        text = f"{branch} already holds the {name} manifest; nothing to commit"
    else:
        text = f"{name}: {outcome.detail}"
        if fmt == "github":
            click.echo(reporters.annotation("warning", str(path), text, title="commit-back"))
    add_summary(f"**commit-back:** {md_text(text)}")
    click.echo(text)


@main.command(
    "hook-validate",
    hidden=True,
    epilog=epilog(
        ["regctl hook-validate registry/providers/openai.yaml"],
        "hook-validate",
    ),
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@format_option(sorted(reporters.REPORTERS))
def hook_validate(files: tuple[Path, ...], fmt: str) -> None:
    """Validate the whole registry each FILE belongs to (found upward, like git).

    pre-commit passes the changed files; a change to one provider can break a
    reference elsewhere, so the registry as a whole is checked. Files outside any
    registry are ignored.
    """
    from regctl.base.discover import display_path
    from regctl.pipeline.validate import validate

    roots = sorted(set(_registries(files).values()))
    failed = 0
    for root in roots:
        report = validate(display_path(root))
        if report.problems:
            click.echo(reporters.REPORTERS[fmt](report.problems), nl=False)
        if report.failed(False):
            failed += len(report.problems)
    if failed:
        raise ProblemsFound(failed)


def _registries(files: tuple[Path, ...]) -> dict[Path, Path]:
    """Each file inside a registry folder -> that folder (resolved); other files dropped.

    pre-commit passes every changed YAML file: a workflow file beside ``registry/``
    finds that registry upward, but is not part of it and must be left alone.
    """
    from regctl.base.discover import find_registry

    out: dict[Path, Path] = {}
    for f in files:
        root = find_registry(f)
        if root is None or not _is_regctl(root) or not f.resolve().is_relative_to(root.resolve()):
            continue
        out[f] = root.resolve()
    return out


def _is_regctl(root: Path) -> bool:
    """Whether ``root`` is a regctl registry: ``.github/workflows/registry.yml`` has the
    name of a Registry document but is a workflow."""
    from regctl.base.discover import REGISTRY_FILES
    from regctl.io import safeio

    docs = [root / n for n in REGISTRY_FILES if (root / n).is_file()]

    def says_regctl(path: Path) -> bool:
        try:
            return b"apiVersion: regctl/" in safeio.read_regular(path, 10 * 1024 * 1024)
        except safeio.SafeReadError:  # unreadable, or over any registry file's cap
            return False

    return not docs or any(says_regctl(p) for p in docs)


@main.command(
    "hook-fmt",
    hidden=True,
    epilog=epilog(
        ["regctl hook-fmt registry/providers/openai.yaml .github/workflows/ci.yml"],
        "hook-fmt",
    ),
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def hook_fmt(files: tuple[Path, ...]) -> None:
    """Format FILEs that belong to a registry; other YAML files are left alone.

    Exit 1 when a file changed, so pre-commit shows the change before it is committed.
    """
    from regctl.authoring.fmtcheck import format_paths
    from regctl.base.errors import RegctlError

    mine = sorted(_registries(files))
    if not mine:
        return
    result = format_paths(mine, check=False)
    for path, why in result.failed:
        click.echo(f"{path}: error [yaml-syntax] {why}", err=True)
    for path in result.changed:
        click.echo(f"formatted {path}")
    if result.failed or result.changed:
        raise RegctlError("")
