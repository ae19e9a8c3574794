"""The progress bar draws on a terminal only."""

from __future__ import annotations

import io

from regctl.interop.progress import Progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_on_a_terminal() -> None:
    stream = _Tty()
    with Progress("models", 4, stream=stream) as bar:
        for _ in range(4):
            bar.advance()
    text = stream.getvalue()
    assert text.startswith("\rmodels [") and "4/4" in text and text.endswith("\n")


def test_silent_in_a_pipe() -> None:
    stream = io.StringIO()
    with Progress("models", 4, stream=stream) as bar:
        bar.advance(4)
    assert stream.getvalue() == ""
