"""The options every command shares, so one concept has one spelling everywhere.

- The registry: ``--registry PATH`` on every command that reads one; commands with no
  other positional arguments also take it positionally (``regctl validate registry/``).
  Given neither, it is found upward from the current directory (:mod:`regctl.base.discover`).
- ``-o/--output FILE``: always a file to write.
- ``--format``: always the output form (``text``, ``json``, ...).
- A model is always nameable as ``provider/model`` (:func:`split_model_ref`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from regctl.base.discover import display_path, find_registry
from regctl.base.errors import UsageError
from regctl.base.i18n import N_, msg

F = TypeVar("F", bound=Callable[..., Any])

NO_REGISTRY_HINT = N_("create one with `regctl init` or name it with --registry PATH")


def resolve_registry(
    positional: Path | None, option: Path | None, *, optional: bool = False
) -> Path | None:
    """The registry folder from the positional argument, ``--registry``, or the search.

    With ``optional``, ``None`` when nothing names one and none is found.
    """
    if positional is not None and option is not None and positional != option:
        raise UsageError(
            msg(
                "the registry is named twice ('{first}' and --registry '{second}'); give it once",
                first=str(positional),
                second=str(option),
            )
        )
    chosen = option if option is not None else positional
    if chosen is not None:
        if not chosen.exists():
            raise UsageError(
                msg("registry '{path}' not found", path=str(chosen)),
                hint=msg("name a registry folder or file; `regctl init` creates one"),
            )
        return chosen
    cwd = Path.cwd()
    found = find_registry(cwd)
    if found is None and optional:
        return None
    if found is None:
        raise UsageError(
            msg(
                "no registry found in {path} or its parents (looked for registry/ or "
                "registry.yaml)",
                path=str(cwd),
            ),
            hint=msg(NO_REGISTRY_HINT),
        )
    return display_path(found, cwd)


def registry_option(*, positional: bool = False, optional: bool = False) -> Callable[[F], F]:
    """Add ``--registry PATH`` (and ``[REGISTRY]`` when ``positional``); pass ``registry``.

    ``optional``: pass ``None`` instead of failing when no registry is named or found
    (for commands such as ``fmt FILE...`` that only fall back to the registry).
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            pos = kwargs.pop("registry_pos", None)
            opt = kwargs.pop("registry_opt", None)
            kwargs["registry"] = resolve_registry(pos, opt, optional=optional)
            return func(*args, **kwargs)

        wrapped: Any = click.option(
            "--registry",
            "registry_opt",
            type=click.Path(path_type=Path),
            default=None,
            metavar="PATH",
            help="The registry folder (default: registry/ found upward from here, like git).",
        )(wrapper)
        if positional:
            wrapped = click.argument(
                "registry_pos",
                required=False,
                metavar="[REGISTRY]",
                type=click.Path(path_type=Path),
            )(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate


def output_option(help: str = "Write to FILE instead of standard output.") -> Callable[[F], F]:
    """``-o/--output FILE``: the one spelling for a file to write."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help=help,
    )


def format_option(
    choices: Sequence[str], default: str = "text", help: str = "Output form."
) -> Callable[[F], F]:
    """``--format``: the one spelling for the output form."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help,
    )


def sort_option() -> Callable[[F], F]:
    """``--sort``: the order of a model listing (``ls models`` and ``models`` alike)."""
    return click.option(
        "--sort",
        type=click.Choice(["name", "price", "context", "released"]),
        default="name",
        show_default=True,
        help="price: cheapest first; context: largest first; released: newest first.",
    )


def split_model_ref(parts: Sequence[str]) -> tuple[str, str]:
    """``("openai/gpt-4o",)`` or ``("openai", "gpt-4o")`` -> ``("openai", "gpt-4o")``.

    Only the first ``/`` separates: model ids may hold slashes
    (``openrouter/anthropic/claude-3.5-sonnet``).
    """
    if len(parts) == 2 and "/" not in parts[0]:
        return parts[0], parts[1]
    if len(parts) == 1 and "/" in parts[0]:
        provider, model = parts[0].split("/", 1)
        if provider and model:
            return provider, model
    shown = " ".join(parts) or msg("(nothing)")
    raise UsageError(
        msg("name a model as PROVIDER/MODEL or PROVIDER MODEL, not '{ref}'", ref=shown)
    )


def deprecated_alias(
    flag: str,
    instead: str,
    dest: str,
    *,
    value: Any = None,
    metavar: str | None = None,
    type: Any = None,
) -> Callable[[F], F]:
    """A hidden old spelling that still works and says on stderr what replaces it.

    What it was given goes to ``dest`` (see :func:`deprecated_value`); a flag (``value``
    set) gives ``value``: ``--json`` is ``deprecated_alias("--json", "--format json",
    "fmt", value="json")``.
    """
    is_flag = value is not None

    def note(ctx: click.Context, param: click.Parameter, given: Any) -> None:
        if given is None or given is False:
            return
        click.echo(f"warning: {flag} is deprecated; use {instead}", err=True)
        ctx.meta.setdefault("regctl_deprecated", {})[dest] = value if is_flag else given

    return click.option(
        flag,
        "deprecated_" + flag.lstrip("-").replace("-", "_"),
        is_flag=is_flag,
        default=False if is_flag else None,
        hidden=True,
        expose_value=False,
        metavar=metavar,
        type=type,
        callback=note,
    )


def deprecated_value(dest: str, current: Any, default: Any = None) -> Any:
    """``current``, or what a deprecated alias gave ``dest`` when ``current`` is the default."""
    ctx = click.get_current_context()
    given = ctx.meta.get("regctl_deprecated", {})
    if dest in given and current == default:
        return given[dest]
    return current


def epilog(examples: Sequence[str], command: str) -> str:
    """The end of ``regctl COMMAND --help``: examples, then the command's exit codes.

    The codes come from :data:`regctl.cli.exitcodes.TABLE` (``command`` is the path as
    typed, ``"ls models"``); each line is ``  N  meaning``, kept as written.
    """
    from regctl.cli.exitcodes import help_block

    lines = ["\b", "Examples:" if len(examples) > 1 else "Example:"]
    lines += [f"  {e}" for e in examples]
    lines += ["", "\b", *help_block(command)]
    return "\n".join(lines)


def _count(flag: str, value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"{flag} must be a whole number, got '{value}'") from None
    if n < 0:
        raise UsageError(f"{flag} must be >= 0, got {n}")
    return n


def token_options(*, cached: bool = False) -> Callable[[F], F]:
    """``-I/--input-tokens N`` and ``-O/--output-tokens N`` (both required, >= 0).

    ``--input``/``--output`` were the old spellings: ``--output`` is a file everywhere
    else, so they are hidden deprecated aliases now. Pass ``input_tokens``,
    ``output_tokens`` (and ``cached_tokens`` with ``cached``) as ints.
    """
    names = [("input_tokens", "--input-tokens"), ("output_tokens", "--output-tokens")]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for name, flag in names:
                value = deprecated_value(name, kwargs[name])
                if value is None:
                    raise UsageError(f"missing option {flag} N (a number of tokens)")
                kwargs[name] = _count(flag, value)
            if cached:
                value = deprecated_value("cached_tokens", kwargs["cached_tokens"])
                kwargs["cached_tokens"] = _count("--cached-tokens", value or 0)
            return func(*args, **kwargs)

        wrapped: Any = wrapper
        if cached:
            wrapped = deprecated_alias("--cached", "--cached-tokens", "cached_tokens", metavar="N")(
                wrapped
            )
            wrapped = click.option(
                "--cached-tokens",
                "cached_tokens",
                default=None,
                metavar="N",
                help="Of the input tokens, how many are billed at the cached price (default 0).",
            )(wrapped)
        for flag, name in (("--output", "output_tokens"), ("--input", "input_tokens")):
            wrapped = deprecated_alias(flag, f"{flag}-tokens", name, metavar="N")(wrapped)
        wrapped = click.option(
            "-O", "--output-tokens", "output_tokens", metavar="N", help="Output tokens (required)."
        )(wrapped)
        wrapped = click.option(
            "-I", "--input-tokens", "input_tokens", metavar="N", help="Input tokens (required)."
        )(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate
