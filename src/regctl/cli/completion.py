"""`regctl completion bash|zsh|fish`: the shell's completion script (docs/completion.md)."""

from __future__ import annotations

import click

from regctl.cli.app import PROG, main
from regctl.cli.options import epilog

SHELLS = ("bash", "zsh", "fish")
#: the variable click's scripts set when they ask ``regctl`` for completions
COMPLETE_VAR = "_REGCTL_COMPLETE"


@main.command(
    "completion",
    epilog=epilog(
        [
            "regctl completion bash > ~/.regctl-complete.bash  # then: . ~/.regctl-complete.bash",
            "regctl completion fish > ~/.config/fish/completions/regctl.fish",
        ],
        "completion",
    ),
)
@click.argument("shell", type=click.Choice(SHELLS), metavar="bash|zsh|fish")
def completion_cmd(shell: str) -> None:
    """Print the completion script for SHELL; source it from the shell's start-up file.

    It completes commands, options, and the ids the registry defines (providers,
    provider/model, environments); the shell asks regctl itself for them at each TAB.
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # click ships all three
    click.echo(cls(main, {}, PROG, COMPLETE_VAR).source())
