"""Shell completion of provider, model and environment ids from the registry.

click completes options and commands by itself (``_REGCTL_COMPLETE=bash_source regctl``,
see docs/completion.md); the callbacks here add the ids a registry defines. They read the
documents without validating them, never fail (a broken registry completes nothing), and
use the registry the command line names with ``--registry`` or the positional alias, else
the one found upward from the current directory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from regctl.base.discover import find_registry

F = TypeVar("F", bound=Callable[..., Any])


def _registry(ctx: click.Context) -> Path | None:
    for key in ("registry_opt", "registry_pos"):
        value = ctx.params.get(key)
        if value:
            return Path(value)
    return find_registry(Path.cwd())


def registry_ids(ctx: click.Context) -> dict[str, list[str]]:
    """``{"providers": [...], "models": ["p/m", ...], "environments": [...]}``."""
    from regctl.pipeline.positions import PosDict
    from regctl.pipeline.source import load_registry

    out: dict[str, list[str]] = {"providers": [], "models": [], "environments": []}
    root = _registry(ctx)
    if root is None:
        return out
    for doc in load_registry(root).documents:
        data = doc.data
        if not isinstance(data, PosDict):
            continue
        kind, ident = data.get("kind"), data.get("id")
        if kind == "Provider" and isinstance(ident, str):
            out["providers"].append(ident)
            for m in data.get("models") or []:
                if isinstance(m, dict) and isinstance(m.get("id"), str):
                    out["models"].append(f"{ident}/{m['id']}")
        elif kind == "Model" and isinstance(ident, str):
            out["models"].append(f"{data.get('provider')}/{ident}")
        elif kind == "Environment" and isinstance(ident, str):
            out["environments"].append(ident)
    return out


def _items(values: list[str], incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(v) for v in sorted(set(values)) if v.startswith(incomplete)]


def _safe(ctx: click.Context, key: str) -> list[str]:
    try:
        return registry_ids(ctx)[key]
    except Exception:  # completion must never print a traceback into the shell
        return []


def complete_provider(ctx: click.Context, param: Any, incomplete: str) -> list[CompletionItem]:
    """Provider ids."""
    return _items(_safe(ctx, "providers"), incomplete)


def complete_model(ctx: click.Context, param: Any, incomplete: str) -> list[CompletionItem]:
    """``provider/model`` keys (and, after ``PROVIDER``, that provider's model ids)."""
    models = _safe(ctx, "models")
    given = ctx.params.get(param.name) if param is not None and param.name else None
    if isinstance(given, (list, tuple)) and len(given) == 1 and "/" not in given[0]:
        prefix = given[0] + "/"
        return _items([m[len(prefix) :] for m in models if m.startswith(prefix)], incomplete)
    return _items(models, incomplete)


def complete_entry(ctx: click.Context, param: Any, incomplete: str) -> list[CompletionItem]:
    """Provider ids, and ``provider/model`` keys once a ``/`` is typed."""
    key = "models" if "/" in incomplete else "providers"
    return _items(_safe(ctx, key), incomplete)


def complete_environment(ctx: click.Context, param: Any, incomplete: str) -> list[CompletionItem]:
    """Environment ids."""
    return _items(_safe(ctx, "environments"), incomplete)


def env_option(help: str = "Environment (default: the base registry).") -> Callable[[F], F]:
    """``--env ENV`` completing the registry's environment ids."""
    return click.option(
        "--env", "env", default=None, metavar="ENV", help=help, shell_complete=complete_environment
    )
