"""Progress on stderr for work that takes a while: one facility for every command.

A command runs inside :func:`activity`; library code reports work with :func:`advance`
(``advance("files read")``, ``advance("models checked", 120)``), which costs a dict
update when nobody watches. A status line is drawn only when stderr is a terminal,
``--quiet`` was not given, and the work has run longer than half a second, so quick
commands, pipes and CI logs stay clean. ``NO_COLOR`` (https://no-color.org) turns the
dim styling off. The runtime client (``regctl.client``) never imports this.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import TextIO

QUIET = False  # set by the CLI's --quiet
DELAY = 0.5  # seconds of work before anything is drawn


def set_quiet(quiet: bool) -> None:
    """Turn progress output off (``regctl --quiet``)."""
    global QUIET
    QUIET = quiet


class Activity:
    """Counts of work done under one label, drawn as one line that rewrites itself."""

    def __init__(self, label: str, stream: TextIO | None = None, delay: float | None = None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.counts: dict[str, int] = {}
        self.totals: dict[str, int] = {}
        self.enabled = not QUIET and bool(getattr(self.stream, "isatty", lambda: False)())
        self.color = (
            self.enabled
            and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM", "") not in ("dumb", "")
        )
        env_delay = os.environ.get("REGCTL_PROGRESS_DELAY")
        self.delay = delay if delay is not None else float(env_delay or DELAY)
        self.start = time.monotonic()
        self._last = 0.0
        self._width = 0

    def advance(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n
        if self.enabled:
            now = time.monotonic()
            if now - self.start >= self.delay and now - self._last >= 0.1:
                self._last = now
                self._draw()

    def total(self, what: str, n: int) -> None:
        """Announce how many ``what`` there will be (shown as ``done/total``)."""
        self.totals[what] = self.totals.get(what, 0) + n

    def _draw(self) -> None:
        parts = []
        for what, n in self.counts.items():
            total = self.totals.get(what)
            parts.append(f"{n:,}/{total:,} {what}" if total else f"{n:,} {what}")
        text = f"{self.label}: " + ", ".join(parts)
        pad = " " * max(0, self._width - len(text))
        self._width = len(text)
        styled = f"\x1b[2m{text}\x1b[0m" if self.color else text
        self.stream.write("\r" + styled + pad)
        self.stream.flush()

    def close(self) -> None:
        """Erase the status line, so the command's own output starts on a clean line."""
        if self.enabled and self.counts and time.monotonic() - self.start >= self.delay:
            self._draw()  # the final counts, however fast the last stretch was
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


_current: list[Activity] = []


@contextlib.contextmanager
def activity(label: str, stream: TextIO | None = None) -> Iterator[Activity]:
    """Show progress of the work done inside the ``with`` block under ``label``."""
    act = Activity(label, stream)
    _current.append(act)
    try:
        yield act
    finally:
        _current.remove(act)
        act.close()


def advance(what: str, n: int = 1) -> None:
    """Report ``n`` more units of ``what`` done (no-op outside an :func:`activity`)."""
    if _current:
        _current[-1].advance(what, n)


def total(what: str, n: int) -> None:
    """Report that ``n`` units of ``what`` are expected (no-op outside an activity)."""
    if _current:
        _current[-1].total(what, n)


class Progress:
    """A bar with a known total (``with Progress("models", total) as bar: bar.advance()``).

    Kept for the importers; drawn immediately (an import always takes a while) and, like
    :class:`Activity`, only on a terminal and never with ``--quiet``.
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not QUIET and bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more items done (redraws at most 20 times a second)."""
        self.done += n
        if self.enabled:
            self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.05:
            return
        self._last = now
        frac = min(self.done / self.total, 1.0)
        fill = int(frac * 30)
        bar = "#" * fill + "-" * (30 - fill)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
