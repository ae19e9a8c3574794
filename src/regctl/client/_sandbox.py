"""A Jinja2 sandbox with limits: templates cannot exhaust memory, the stack or the CPU.

Jinja2's sandbox keeps templates away from Python internals but not from
resources: ``{{ 'a' * 10**9 }}``, ``{{ '%999999999d' % 1 }}``, ``{{ x|center(10**9) }}``
or a macro that calls itself twice per level each allocate or loop without end.
Here every arithmetic operator, call and filter is checked before it runs
(sizes of repeated sequences, powers, widths in format strings, integer
arguments), calls and loop iterations are counted, recursion is bounded by
Python's own limit, and the output is collected chunk by chunk against a cap.
Jinja2 is imported only when this module is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 1_000_000
"""Characters one rendered text may hold (a prompt is far smaller)."""
MAX_CALLS = 100_000
"""Function, macro and filter calls per render."""
MAX_ITERATIONS = 1_000_000
"""Loop iterations over ``range()`` per render."""
MAX_INT_ARG = 10_000_000
"""Largest width or count a sizing call or filter (``center``, ``indent``...) may get."""

_WIDTH = re.compile(r"\d{6,}")
# Callables whose integer arguments are sizes of what they build (a width, a count).
_SIZED = frozenset(
    {
        "center",
        "ljust",
        "rjust",
        "zfill",
        "expandtabs",
        "indent",
        "wordwrap",
        "truncate",
        "batch",
        "slice",
        "join",
    }
)


class LimitExceeded(SecurityError):
    """A template went over one of the limits of this module."""


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """:class:`ImmutableSandboxedEnvironment` with the limits above (one per render)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        options.setdefault("undefined", StrictUndefined)
        options.setdefault("autoescape", False)
        super().__init__(**options)
        self.calls = 0
        self.iterations = 0
        self.globals["range"] = self._range
        for name, fn in list(self.filters.items()):
            self.filters[name] = self._guard_filter(name, fn)

    def _count(self) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise LimitExceeded(f"more than {MAX_CALLS:,} calls")

    def _range(self, *args: int) -> range:
        rng = range(*args)
        self.iterations += len(rng)
        if self.iterations > MAX_ITERATIONS:
            raise LimitExceeded(f"loops over more than {MAX_ITERATIONS:,} items")
        return rng

    def _check_args(self, args: Iterable[Any]) -> None:
        for arg in args:
            if type(arg) is int and abs(arg) > MAX_INT_ARG:
                raise LimitExceeded(f"a size of {arg:,} is over the {MAX_INT_ARG:,} limit")
            if isinstance(arg, str) and _WIDTH.search(arg) and ("%" in arg or "{" in arg):
                raise LimitExceeded("a format width over 5 digits")

    def _guard_filter(self, name: str, fn: Any) -> Any:
        env = self

        sized = name in _SIZED

        def guarded(*args: Any, **kwargs: Any) -> Any:
            env._count()
            if sized:
                env._check_args(args[1:])
                env._check_args(kwargs.values())
            elif name == "format" and args:
                env._check_args(args[:1])  # the format string (its widths)
            return _checked(fn(*args, **kwargs))

        # Keep Jinja2's pass_context/pass_environment markers on the wrapper.
        for attr in ("jinja_pass_arg",):
            if hasattr(fn, attr):
                setattr(guarded, attr, getattr(fn, attr))
        return guarded

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                sized = isinstance(seq, (str, list, tuple)) and type(n) is int
                if sized and len(seq) * n > MAX_OUTPUT:
                    raise LimitExceeded("a repeated sequence over the output limit")
        elif operator == "**":
            if type(right) is int and (
                abs(right) > 1000 or (type(left) is int and abs(left) > 2**64)
            ):
                raise LimitExceeded("a power over the limit")
        elif operator == "%" and isinstance(left, str) and _WIDTH.search(left):
            raise LimitExceeded("a format width over 5 digits")
        result = super().call_binop(context, operator, left, right)
        return _checked(result)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self._count()
        if getattr(__obj, "__name__", "") in _SIZED:
            __self._check_args(args)
            __self._check_args(kwargs.values())
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Any:
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and _WIDTH.search(owner):
            raise LimitExceeded("a format width over 5 digits")
        return super().wrap_str_format(value)


def _checked(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_OUTPUT:
        raise LimitExceeded(f"a value over the {MAX_OUTPUT:,} character limit")
    return value


def render_limited(source: str, values: dict[str, Any]) -> str:
    """Render ``source`` with ``values`` under the limits; raises Jinja2/limit errors.

    ``RecursionError`` (a macro calling itself) and ``MemoryError`` are re-raised as
    :class:`LimitExceeded`, so callers handle one family of failures.
    """
    env = LimitedSandbox()
    try:
        template = env.from_string(source)
        out: list[str] = []
        size = 0
        for chunk in template.generate(**values):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise LimitExceeded(f"output over the {MAX_OUTPUT:,} character limit")
            out.append(chunk)
        return "".join(out)
    except RecursionError:
        raise LimitExceeded("recursion too deep (a macro calling itself?)") from None
    except MemoryError:
        raise LimitExceeded("out of memory while rendering") from None
