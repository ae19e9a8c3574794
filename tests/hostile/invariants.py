"""What every surface must do with every hostile input: the checks of the hostile suite."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

from tests.cpuwait import CpuWait

#: Words that betray a crash or a raw exception in what the user is told.
CRASH_WORDS = (
    "Traceback",
    "internal error",
    "AttributeError",
    "KeyError",
    "TypeError",
    "IndexError",
    "MemoryError",
    "RecursionError",
    "UnicodeDecodeError",
    "AssertionError",
    "NoneType",
)
#: Credentials the suite puts in the environment; none may appear in any message.
SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAHOSTILETEST00001",
    "AWS_SECRET_ACCESS_KEY": "hostile-Secret-Access-Key-0123456789abcdefg",
    "AWS_SESSION_TOKEN": "hostile-session-token-Zq81-0123456789",
    "REGCTL_TARGET_TOKEN": "hostile-target-token-Zq81x",
    "VAULT_TOKEN": "hvs.hostile-vault-token-Zq81-0123456789",
    "VAULT_SECRET_ID": "hostile-approle-secret-id-Zq81-4567",
}
#: Peak Python memory a drive may use (the largest body cap is 256 MiB).
MEMORY_BUDGET = 400 << 20


@dataclass
class Outcome:
    message: str
    seconds: float
    peak_bytes: int
    #: Seconds this process's threads waited for a CPU meanwhile (tests/cpuwait.py).
    waited: float = 0.0


def run(drive: Callable[[], str], *, trace_memory: bool = False) -> Outcome:
    """Run ``drive``, timing it and, if asked, tracing its peak memory.

    Tracing slows Python down several times over (imports, JSON), so it is on only
    for the inputs that aim at memory; those aim at nothing else. The time the
    process waited for a CPU is measured too: a busy shared machine's, not the code's.
    """
    if trace_memory:
        tracemalloc.start()
    start = time.monotonic()
    wait = CpuWait()
    try:
        with wait:
            message = drive()
    finally:
        seconds = time.monotonic() - start
        peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
        if trace_memory:
            tracemalloc.stop()
    return Outcome(message, seconds, peak, wait.seconds)


def check(outcome: Outcome, *, budget: float, tolerated: str | None) -> None:
    """The invariants; ``tolerated`` is the reason the surface may accept this input.

    The time budget grows by what the process waited for a CPU (a hang sleeps on its
    peer and waits for none, so it still fails).
    """
    msg = outcome.message
    allowed = budget + outcome.waited
    assert outcome.seconds < allowed or outcome.peak_bytes, (
        f"took {outcome.seconds:.1f} s (budget {budget:.1f} s + {outcome.waited:.1f} s "
        f"waiting for a CPU): {msg}"
    )
    assert outcome.peak_bytes < MEMORY_BUDGET, f"peak memory {outcome.peak_bytes >> 20} MiB"
    if not msg:
        assert tolerated, "the hostile input was accepted without a word"
        return
    assert "\n" not in msg and msg.isprintable(), f"not one printable line: {msg!r}"
    for word in CRASH_WORDS:
        assert word not in msg, f"{word} in the message: {msg}"
    for secret in SECRETS.values():
        assert secret not in msg, f"a credential in the message: {msg}"
