"""The click group every command module registers on, and its error boundary.

Commands are thin: they parse options, call library functions, render, and
return an exit code (regctl.cli.exitcodes). Anything raised as :class:`RegctlError`
becomes ``error: <message>`` on stderr and its exit code, a usage error (regctl's or
click's) adds a ``hint:`` line (:mod:`regctl.cli.failure`); an unexpected exception
becomes one line too (set ``REGCTL_DEBUG=1`` for the traceback) so no traceback
reaches a user by default.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import Any, ClassVar

import click

from regctl import __version__
from regctl.base import i18n
from regctl.base.errors import RegctlError
from regctl.cli import click_messages
from regctl.messages import progress

DETAILED_EXITCODE = "--detailed-exitcode"
PROG = "regctl"
#: the root group's options that take a value (to find the command name in argv)
_ROOT_VALUES = ("--lang",)

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
    "doctor": "doctor_cmd",
    "explain": "reference",
    "docs": "reference",
    "spend": "spend_cmd",
    "serve": "serve_cmd",
    "target-path": "gitops",
    "commit-back": "gitops",
    "hook-validate": "gitops",
    "hook-fmt": "gitops",
    "completion": "completion",
}


class RegctlSubGroup(click.Group):
    """A group below the root (``ls``, ``import``): an unknown command is a regctl usage error."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        unknown = name and not name.startswith("-") and self.get_command(ctx, name) is None
        if unknown and not ctx.resilient_parsing:
            from regctl.cli.failure import no_such_command

            visible = [
                n
                for n in self.list_commands(ctx)
                if not getattr(self.get_command(ctx, n), "hidden", True)
            ]
            raise click.UsageError(no_such_command(name, visible), ctx)
        return super().resolve_command(ctx, args)


class RegctlGroup(RegctlSubGroup):
    """The root group: one error style, and Terraform's exit codes under ``--detailed-exitcode``.

    With ``--detailed-exitcode`` 2 means "changes", so every error (a click usage
    error included, which click itself exits 2 for) leaves with 1 instead.
    """

    #: Set when this process ends in an error (not in a deliberate exit code).
    failed = False
    #: The command as typed, for hints and progress (``["ls", "models"]``).
    words: ClassVar[list[str]] = []
    #: ``@main.group(...)`` makes groups whose unknown commands fail the same way.
    group_class = RegctlSubGroup

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

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        RegctlGroup.failed = False  # a fresh run (tests invoke main() many times in one process)
        # The language before click parses anything, so its usage errors are translated too.
        _choose_language(argv)
        RegctlGroup.words = command_words(self, argv)
        if not standalone_mode:
            return super().main(argv, prog_name or PROG, complete_var, False, **extra)
        code = self._run(argv, prog_name or PROG, complete_var, extra)
        if DETAILED_EXITCODE in argv and RegctlGroup.failed and code not in (0, 130):
            code = 1
        sys.exit(code)

    def _run(
        self, argv: list[str], prog_name: str, complete_var: str | None, extra: dict[str, Any]
    ) -> int:
        """Run the command; its exit code. Every error is shown here, in one style."""
        path = " ".join([prog_name, *RegctlGroup.words])
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `regctl`, `regctl ls`: the help
            click.echo(exc.format_message(), err=True)
            return 2
        except click.ClickException as exc:
            from regctl.cli.failure import show_click_error  # only an error needs it

            RegctlGroup.failed = True
            show_click_error(exc, path)
            return exc.exit_code
        except click.exceptions.Abort:
            click.echo(i18n._("Aborted!"), err=True)
            return 1
        except RegctlError as exc:  # raised while parsing (a callback): shown as in a command
            from regctl.cli.failure import show_regctl_error

            RegctlGroup.failed = True
            show_regctl_error(exc, path)
            return exc.exit_code
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            # `regctl rules | head -1`: the reader left; be quiet and exit 1, as Unix tools do.
            sys.stdout = click.utils._PacifyFlushWrapper(sys.stdout)
            sys.stderr = click.utils._PacifyFlushWrapper(sys.stderr)
            return 1
        # click returns the code of ctx.exit(N) in this mode; a command returns None
        return rv if isinstance(rv, int) else 0

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.ClickException:
            RegctlGroup.failed = True
            raise

    def invoke(self, ctx: click.Context) -> Any:
        progress.set_quiet(bool(ctx.params.get("quiet")))
        label = " ".join([PROG, *RegctlGroup.words[:1]])
        try:
            # every command reports its work; a terminal shows it after half a second
            with progress.activity(label):
                return super().invoke(ctx)
        except click.ClickException:
            RegctlGroup.failed = True
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise  # handled in main(), like click's own
        except RegctlError as exc:
            from regctl.cli.failure import show_regctl_error

            RegctlGroup.failed = True
            show_regctl_error(exc, " ".join([PROG, *RegctlGroup.words]))
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


def command_words(group: click.Group, argv: list[str]) -> list[str]:
    """The command named in ``argv`` (``["ls", "models"]``), after the root's options."""
    words: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # --lang X, -q, ...
        i += 2 if argv[i] in _ROOT_VALUES else 1
    current: click.Command | None = group
    ctx = click.Context(group)
    for token in argv[i:]:
        if not isinstance(current, click.Group) or token.startswith("-"):
            break
        current = current.get_command(ctx, token)
        if current is None:
            break
        words.append(token)
    return words


def _choose_language(argv: list[str]) -> None:
    """Use the language ``--lang`` or ``$REGCTL_LANG`` names (else ``$LANG``'s).

    A language regctl has no messages in falls back to English, with a warning when it
    was asked for explicitly (``$LANG`` is the whole system's, so it is not warned about).
    """
    given = _lang_arg(argv)
    i18n.set_language(i18n.choose_language(given), stream=sys.stdout)
    asked = i18n.normalize(given if given is not None else os.environ.get("REGCTL_LANG"))
    if asked is not None and asked not in i18n.LANGUAGES:
        warning = i18n.tr(
            "no messages in language '{lang}' (available: {known}); using English",
            lang=asked,
            known=", ".join(i18n.LANGUAGES),
        )
        click.echo(f"{i18n._(i18n.N_('warning'))}: {warning}", err=True)


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
@click.version_option(__version__, prog_name=PROG)
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
    # --lang was read before click parsed anything (RegctlGroup.main), so that click's
    # own usage errors are in that language too.


def exit_with(code: int) -> None:
    """Leave the command with ``code`` (click-friendly ``sys.exit``)."""
    if code:
        sys.exit(code)
