"""The click group every command module registers on, and its error boundary.

Commands are thin: they parse options, call library functions, render, and
return an exit code. Anything raised as :class:`RegctlError` becomes one line on
stderr and its exit code; an unexpected exception becomes one line too (set
``REGCTL_DEBUG=1`` for the traceback) so no traceback reaches a user by default.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from regctl import __version__
from regctl.base import i18n
from regctl.base.errors import RegctlError
from regctl.base.redact import redact
from regctl.base.textsafe import safe_line
from regctl.cli import click_messages
from regctl.messages import progress

DETAILED_EXITCODE = "--detailed-exitcode"

#: Every command of the root group -> the module of :mod:`regctl.cli` that defines it.
#: ``regctl --version``, ``--help`` of one command and a run of one command import only
#: that command's module (start-up is paid on every pre-commit hook and editor save);
#: tests/cli/test_lazy_commands.py holds this table to the modules' own definitions.
COMMANDS: dict[str, str] = {
    "validate": "spine",
    "compile": "spine",
    "schema": "spine",
    "rules": "spine",
    "import": "interop",
    "export": "interop",
    "init": "authoring",
    "activate": "authoring",
    "deactivate": "authoring",
    "fmt": "authoring",
    "ls": "inventory",
    "show": "inventory",
    "cost-compare": "inventory",
    "templates": "inventory",
    "plan": "deploy",
    "apply": "deploy",
    "rollback": "deploy",
    "resolve": "resolve_cmd",
    "candidates": "resolve_cmd",
    "active": "resolve_cmd",
    "models": "client_cmds",
    "cost": "client_cmds",
    "doctor": "client_cmds",
    "explain": "reference",
    "docs": "reference",
    "spend": "spend_cmd",
    "serve": "serve_cmd",
    "target-path": "gitops",
    "hook-validate": "gitops",
    "hook-fmt": "gitops",
}


class RegctlGroup(click.Group):
    """The root group: one-line errors, and Terraform's exit codes under ``--detailed-exitcode``.

    With ``--detailed-exitcode`` 2 means "changes", so every error (a click usage
    error included, which click itself exits 2 for) leaves with 1 instead.
    """

    #: Set when this process ends in an error (not in a deliberate exit code).
    failed = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            # Importing the module registers its commands on this group.
            importlib.import_module(f"regctl.cli.{module}")
        return self.commands.get(cmd_name)

    def load_all(self) -> dict[str, click.Command]:
        """Every command, loaded (for the reference pages and completion of names)."""
        for name in self.list_commands(click.Context(self)):
            self.get_command(click.Context(self), name)
        return dict(self.commands)

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        RegctlGroup.failed = False  # a fresh run (tests invoke main() many times in one process)
        # The language before click parses anything, so its usage errors are translated too.
        i18n.set_language(i18n.choose_language(_lang_arg(argv)), stream=sys.stdout)
        try:
            return super().main(argv, *rest, **kwargs)
        except SystemExit as exc:
            code = exc.code
            if DETAILED_EXITCODE in argv and RegctlGroup.failed and code not in (0, None, 130):
                raise SystemExit(1) from None
            raise

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.ClickException:
            RegctlGroup.failed = True
            raise

    def invoke(self, ctx: click.Context) -> Any:
        progress.set_quiet(bool(ctx.params.get("quiet")))
        sub = getattr(ctx, "protected_args", None) or ctx.args[:1]
        try:
            # every command reports its work; a terminal shows it after half a second
            with progress.activity(" ".join(["regctl", *sub[:1]])):
                return super().invoke(ctx)
        except click.ClickException:
            RegctlGroup.failed = True
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # `regctl rules | head -1`: the reader left. click's main() silences the
            # rest of the output and exits 1 quietly, as Unix tools do.
            raise
        except RegctlError as exc:
            RegctlGroup.failed = True
            if str(exc):
                # A Msg argument keeps its template, so the message can be translated.
                first = exc.args[0] if len(exc.args) == 1 else None
                text = first if isinstance(first, i18n.Msg) else str(exc)
                # Each line escaped on its own: a multi-line message keeps its lines, but
                # none of them can carry control characters or start a workflow command.
                lines = redact(i18n.localize(text)).split("\n")
                shown = [safe_line(f"{i18n._('error')}: {lines[0]}"), *map(safe_line, lines[1:])]
                click.echo("\n".join(shown), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(i18n._("interrupted"), err=True)
            ctx.exit(130)
        except Exception as exc:
            RegctlGroup.failed = True
            if os.environ.get("REGCTL_DEBUG"):
                raise
            text = i18n.msg(
                "internal error: {kind} (set REGCTL_DEBUG=1 for details)", kind=type(exc).__name__
            )
            click.echo(i18n.localize(text), err=True)
            ctx.exit(1)


def _lang_arg(argv: list[str]) -> str | None:
    """``--lang X`` / ``--lang=X`` among the root options (before the command name)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            return None  # the command: what follows is its own
    return None


click_messages.install()


@click.group(cls=RegctlGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="regctl")
@click.option(
    "--lang",
    metavar="LANG",
    default=None,
    help="Language of messages: en, fa [default: $REGCTL_LANG, then $LANG]. "
    "Rule ids and JSON output never change.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress on stderr (shown on a terminal only)."
)
def main(lang: str | None, quiet: bool) -> None:
    """regctl: AI providers and models as code.

    Validate a registry, compile it into a locked manifest, plan and apply it.
    """
    i18n.set_language(i18n.choose_language(lang), stream=sys.stdout)


def exit_with(code: int) -> None:
    """Leave the command with ``code`` (click-friendly ``sys.exit``)."""
    if code:
        sys.exit(code)
