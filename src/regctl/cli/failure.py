"""How every error is shown: ``error: <message>``, and for a usage error a ``hint:`` line.

One style for regctl's own errors and for click's usage errors (a bad option, an unknown
command, a bad value): click's ``Usage: ... Try ... Error: ...`` block is never printed.
A did-you-mean names only options and commands that ``--help`` shows, never a hidden
deprecated alias or an internal command. Every line is escaped on its own (no control
characters, no line that starts a workflow command) and secrets are redacted.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from regctl.base import i18n
from regctl.base.errors import RegctlError, UsageError
from regctl.base.redact import redact
from regctl.base.suggest import did_you_mean
from regctl.base.textsafe import safe_line

#: the words that start an error's lines (marked for the catalog; f-strings are not read)
ERROR, HINT = i18n.N_("error"), i18n.N_("hint")


def show(message: str, hint: str | None = None) -> None:
    """Print ``error: message`` (each of its lines escaped) and ``hint: hint`` on stderr."""
    lines = redact(message).split("\n")
    shown = [safe_line(f"{i18n._(ERROR)}: {lines[0]}"), *map(safe_line, lines[1:])]
    if hint:
        shown.append(safe_line(f"{i18n._(HINT)}: {redact(hint)}"))
    click.echo("\n".join(shown), err=True)


def help_hint(command_path: str) -> str:
    """The default hint of a usage error: the command's ``--help``."""
    return i18n.tr("see '{command} --help'", command=command_path)


def show_regctl_error(exc: RegctlError, command_path: str) -> None:
    """A :class:`RegctlError` as the user sees it (nothing for an empty message)."""
    if not str(exc):
        return  # ProblemsFound: the reporter has printed the problems already
    # A Msg argument keeps its template, so the message can be translated.
    first = exc.args[0] if len(exc.args) == 1 else None
    text = i18n.localize(first if isinstance(first, i18n.Msg) else str(exc))
    hint = None
    if isinstance(exc, UsageError):
        hint = i18n.localize(exc.hint) if exc.hint else help_hint(command_path)
    show(text, hint)


def show_click_error(exc: click.ClickException, command_path: str) -> None:
    """click's exception in regctl's style (usage errors with the command's ``--help``)."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.exceptions.NoSuchOption):
        text = i18n.tr("no such option '{name}'", name=exc.option_name)
        if ctx is not None:
            # --ou is like -o too, but a long option is meant: suggest long ones for it
            long = exc.option_name.startswith("--")
            names = [n for n in visible_options(ctx.command) if n.startswith("--") or not long]
            text += i18n.localize(did_you_mean(exc.option_name, names))
    else:
        text = _sentence(exc.format_message())
    hint = None
    if isinstance(exc, click.UsageError):
        hint = help_hint(ctx.command_path if ctx is not None else command_path)
    show(text, hint)


def visible_options(command: click.Command) -> list[str]:
    """Every option spelling ``--help`` shows for ``command`` (hidden aliases left out)."""
    names = ["--help", "-h"]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names += [*param.opts, *param.secondary_opts]
    return names


def no_such_command(name: str, choices: Iterable[str]) -> str:
    """``no such command 'x' (did you mean 'y'?)``; ``choices`` are the visible commands."""
    return i18n.tr("no such command '{name}'", name=name) + i18n.localize(
        did_you_mean(name, choices)
    )


def _sentence(text: str) -> str:
    """click's ``Invalid value ... .`` as regctl's messages are: lowercase start, no period."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    return text[:1].lower() + text[1:]
