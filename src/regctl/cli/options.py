"""The options every command shares, so one concept has one spelling everywhere.

- The registry: ``--registry PATH`` on every command that reads one; commands with no
  other positional arguments also take it positionally (``regctl validate registry/``).
  Given neither, it is found upward from the current directory (:mod:`regctl.discover`).
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

from regctl.discover import display_path, find_registry
from regctl.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

NO_REGISTRY_HINT = "create one with `regctl init` or name it with --registry PATH"


def resolve_registry(positional: Path | None, option: Path | None) -> Path:
    """The registry folder from the positional argument, ``--registry``, or the search."""
    if positional is not None and option is not None and positional != option:
        raise UsageError(
            f"the registry is named twice ('{positional}' and --registry '{option}'); give it once"
        )
    chosen = option if option is not None else positional
    if chosen is not None:
        return chosen
    cwd = Path.cwd()
    found = find_registry(cwd)
    if found is None:
        raise UsageError(
            f"no registry found in {cwd} or its parents (looked for registry/ or "
            f"registry.yaml); {NO_REGISTRY_HINT}"
        )
    return display_path(found, cwd)


def registry_option(*, positional: bool = False) -> Callable[[F], F]:
    """Add ``--registry PATH`` (and ``[REGISTRY]`` when ``positional``); pass ``registry``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            pos = kwargs.pop("registry_pos", None)
            opt = kwargs.pop("registry_opt", None)
            kwargs["registry"] = resolve_registry(pos, opt)
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
                "registry_pos", required=False, type=click.Path(path_type=Path)
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


def format_option(choices: Sequence[str], default: str = "text") -> Callable[[F], F]:
    """``--format``: the one spelling for the output form."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output form.",
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
    shown = " ".join(parts) or "(nothing)"
    raise UsageError(f"name a model as PROVIDER/MODEL or PROVIDER MODEL, not '{shown}'")
