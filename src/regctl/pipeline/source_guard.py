"""The guards in front of :mod:`~regctl.pipeline.source`: which files are read, how deep YAML nests.

A pull request decides what the registry folder holds, so the walk refuses what
a careless or hostile change can put there: a FIFO, a device or a directory
named ``x.yaml`` (reading is done by :mod:`regctl.io.safeio`, which never waits
and never reads past the cap), a symlink that leads out of the registry (it
would publish whatever file it points to, e.g. ``~/.aws/credentials``) unless
the operator opts in, and a subfolder that cannot be read (today it would be a
silently missing provider).

Nesting: libyaml's composer recurses in C for every nested collection, so a
file of 100,000 ``[`` crashes the interpreter (a segfault, not an exception),
and it is quadratic in depth. :func:`compose_safely` makes that impossible: a
cheap upper bound on the nesting depth is computed from byte counts; files whose
bound is small compose directly, others are first scanned event by event
(libyaml's parser is iterative), which stops at the first collection nested
deeper than :data:`MAX_DEPTH`. The scan costs about half the compose time on large
catalog files, so it is skipped where libyaml bounds the nesting itself (0.2.5 and
later stop at 1,000 levels with an error, which is reported as the same problem).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from regctl.base.i18n import N_, Msg, msg
from regctl.messages.problems import Location, Problem

if TYPE_CHECKING:
    import yaml

T = TypeVar("T")

MAX_DEPTH = 100
"""Deepest nesting of collections in a registry document (real ones stay under 10)."""

ALLOW_OUTSIDE_ENV = "REGCTL_ALLOW_OUTSIDE_SYMLINKS"
"""Set to ``1`` to let registry files be symlinks to files outside the registry folder."""

# Below this bound a file cannot nest deeper than MAX_DEPTH by much, and the
# composer stays fast; above it the event scan runs first.
_INLINE_LEVELS = 2_000


def allow_outside_default() -> bool:
    """Whether the operator opted in to symlinks that leave the registry (environment)."""
    return os.environ.get(ALLOW_OUTSIDE_ENV, "") in ("1", "true", "yes")


def walk(
    root: Path, suffixes: tuple[str, ...], shown: Callable[[Path], str], allow_outside: bool
) -> tuple[list[Path], list[Problem]]:
    """Registry files below ``root`` in sorted order, and problems for what must not be read."""
    problems: list[Problem] = []
    real_root = root.resolve()

    def unreadable(err: OSError) -> None:
        where = Path(err.filename) if err.filename else root
        problems.append(
            Problem(
                "yaml-syntax",
                msg(
                    "cannot read folder: {detail} (its providers would be silently missing)",
                    detail=err.strerror or type(err).__name__,
                ),
                Location(shown(where)),
            )
        )

    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            sub = Path(dirpath, d)
            if sub.is_symlink():
                # os.walk does not descend into linked folders; one leaving the
                # registry is still worth a word: its files are not read.
                problem = _outside(sub, real_root, shown, allow_outside, "folder")
                if problem is not None:
                    problems.append(problem)
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in filenames:
            # Hidden files are tool configuration (.pre-commit-config.yaml, .yamllint.yml),
            # never registry documents, as hidden folders are skipped above.
            if f.startswith(".") or not f.endswith(suffixes):
                continue
            path = Path(dirpath, f)
            problem = _outside(path, real_root, shown, allow_outside, "file")
            if problem is not None:
                problems.append(problem)
            else:
                found.append(path)
        # A directory named x.yaml is not a file: say so instead of skipping it.
        for d in dirnames:
            if d.endswith(suffixes):
                problems.append(
                    Problem(
                        "yaml-syntax",
                        msg("is a directory, not a regular file"),
                        Location(shown(Path(dirpath, d))),
                    )
                )
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found, problems


def _outside(
    path: Path, real_root: Path, shown: Callable[[Path], str], allow: bool, what: str
) -> Problem | None:
    if allow or not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        text = (
            msg("symlinked folder cannot be resolved (a loop?)")
            if what == "folder"
            else msg("symlinked file cannot be resolved (a loop?)")
        )
        return Problem("yaml-syntax", text, Location(shown(path)))
    if target == real_root or real_root in target.parents:
        return None
    template = (
        N_(
            "symlinked folder points outside the registry, to {target}; refusing to read it"
            " (set {env}=1 or pass --allow-outside-symlinks to allow)"
        )
        if what == "folder"
        else N_(
            "symlinked file points outside the registry, to {target}; refusing to read it"
            " (set {env}=1 or pass --allow-outside-symlinks to allow)"
        )
    )
    text = Msg(template, target=str(target), env=ALLOW_OUTSIDE_ENV)
    return Problem("yaml-syntax", text, Location(shown(path)))


def nesting_bound(raw: bytes) -> int:
    """An upper bound on how deep collections in ``raw`` can nest (cheap: byte counts).

    Flow collections need an opener per level; block collections need ``-``/``?``
    on one line or more indentation (a new line) per two levels.
    """
    lines = raw.count(b"\n") + 1
    block = (
        2 * (min(lines, max(map(len, raw.split(b"\n")))) + 1) if lines < 1_000_000 else 2 * lines
    )
    return raw.count(b"[") + raw.count(b"{") + raw.count(b"-") + raw.count(b"?") + block


def too_deep(raw: bytes, shown: str) -> Problem | None:
    """Walk the parse events (iterative in libyaml) and report the first over-deep collection."""
    import yaml  # only files the fast reader leaves get here
    from yaml.events import CollectionEndEvent, CollectionStartEvent

    loader = yaml.CSafeLoader(raw) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(raw)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None:
                return None
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return depth_problem(shown, event.start_mark)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if is_nesting_error(exc):
            # libyaml 0.2.5 and later stop at 1,000 levels on their own, sometimes while
            # scanning ahead before the events above reach MAX_DEPTH: the same problem.
            return depth_problem(shown, exc.problem_mark)
        return None  # the real parse reports the syntax error with its place
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def depth_problem(shown: str, mark: Any) -> Problem:
    """The problem for a collection nested deeper than :data:`MAX_DEPTH`."""
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Problem(
        "yaml-syntax",
        msg("collections nested deeper than {n} levels", n=MAX_DEPTH),
        Location(shown, line, col),
    )


@functools.cache
def libyaml_bounds_depth() -> bool:
    """Whether the C loader refuses deep nesting itself (libyaml 0.2.5 and later).

    Probed once: 1,500 levels are harmless to compose either way.
    """
    import yaml

    if not hasattr(yaml, "CSafeLoader"):
        return False
    loader = yaml.CSafeLoader(b"[" * 1500 + b"]" * 1500)
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return is_nesting_error(exc)
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return False


def is_nesting_error(exc: yaml.MarkedYAMLError) -> bool:
    """True for libyaml's own "exceeded maximum nesting depth" error."""
    return "maximum nesting depth" in str(exc.problem)


def compose_safely(raw: bytes, shown: str, compose: Callable[[], T]) -> T | Problem:
    """Run ``compose`` (libyaml's recursive composer) only where its depth cannot hurt us."""
    if nesting_bound(raw) > _INLINE_LEVELS and not libyaml_bounds_depth():
        # Deep nesting crashes the composer (C recursion) and makes it quadratic
        # (50,000 levels take 20 s); the event scan is linear and stops early.
        problem = too_deep(raw, shown)
        if problem is not None:
            return problem
    return compose()
