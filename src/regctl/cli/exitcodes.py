"""The exit codes of every command: one table, the only place they are written.

Every command shares three codes (the convention of ruff, and of Terraform without
``-detailed-exitcode``):

- ``0`` success;
- ``1`` problems found: the registry has errors, a check failed, a target failed;
- ``2`` usage: a bad option or argument, or no registry or manifest to work on.

Codes from 3 up mean one thing for one command (the runtime-client commands share
3 to 6 with :mod:`regctl.client.errors`). ``--detailed-exitcode`` on ``plan`` is
Terraform's exception: there 2 means "changes", so every error is 1.

How a command declares its codes: one entry in :data:`TABLE`, keyed by the command's
path as typed (``"ls models"``)::

    "spend": Codes(
        ok="ok (without --check: the report was printed)",
        problems="--check: a budget is exceeded; or a usage file cannot be read",
        reads=REGISTRY,
        extra={SPEND_WARNING: "--check: a budget is past its warn_at share"},
    ),

``ok`` says what 0 means, ``problems`` what 1 means (``None``: the command never exits 1),
``reads`` what it reads (:data:`REGISTRY`, :data:`MANIFEST` or :data:`NOTHING`) so the line
for 2 names what can be missing, ``extra`` its own codes, 3 and up, by a constant defined
here. The command's ``epilog(examples, "spend")`` (:func:`regctl.cli.options.epilog`) ends its
``--help`` with the table; ``regctl docs`` writes docs/exit-codes.md from it; and
tests/cli/test_exit_codes.py runs every command of the table with a bad option, without a
registry, without a manifest and successfully. In the code: raise
:class:`~regctl.base.errors.UsageError` for 2, :class:`~regctl.base.errors.RegctlError` (or
``ProblemsFound``) for 1, and an error class whose ``exit_code`` is one of the constants
below (or ``exit_with(CONSTANT)``) for the others.

This module imports nothing but the standard library: every ``--help`` reads it, and
``regctl --version`` must stay fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

OK, PROBLEMS, USAGE = 0, 1, 2

# -- codes from 3 up (each used only by the commands whose entry lists it) --------------
#: the runtime client (``resolve``, ``models``, ``cost``, ``doctor``): as regctl.client.errors
NOT_FOUND, UNTRUSTED, SECRET, PRICING = 3, 4, 5, 6
#: ``spend --check``: a budget is past its warning share (1 is "exceeded")
SPEND_WARNING = 3

#: what a command reads, so its line for 2 says what may be missing
REGISTRY, MANIFEST, NOTHING = "registry", "manifest", ""

_USAGE = {
    NOTHING: "usage error: a bad option or argument",
    REGISTRY: "usage error: a bad option or argument, or no registry found",
    MANIFEST: "usage error: a bad option or argument, or no manifest found",
}

#: Terraform's ``-detailed-exitcode``, on ``plan``
DETAILED = {0: "no changes", 1: "an error (usage errors too)", 2: "changes to apply"}


@dataclass(frozen=True)
class Codes:
    """One command's exit codes (see the module docstring)."""

    ok: str
    problems: str | None
    reads: str = NOTHING
    extra: Mapping[int, str] = field(default_factory=dict)
    detailed: Mapping[int, str] | None = None

    def __post_init__(self) -> None:
        if any(code < 3 for code in self.extra):
            raise ValueError("command-specific exit codes start at 3")
        if self.reads not in _USAGE:
            raise ValueError(f"reads is one of {sorted(_USAGE)!r}")

    def lines(self) -> dict[int, str]:
        """Code -> meaning, in order: 0, 1 (if any), 2, then the command's own."""
        out = {OK: self.ok}
        if self.problems is not None:
            out[PROBLEMS] = self.problems
        out[USAGE] = _USAGE[self.reads]
        out.update(sorted(self.extra.items()))
        return out


# A listing that matches nothing is an answer, not a failure (as `kubectl get`): exit 0,
# `[]` in JSON and "no models match" on stderr, so `--format json | jq` scripts need no guard.
_READ = Codes(
    ok="ok (also when nothing matches)",
    problems="the registry has errors (printed)",
    reads=REGISTRY,
)
_IMPORT = Codes(
    ok="imported", problems="the input could not be read, or a file exists (see --force)"
)
_CLIENT = {
    NOT_FOUND: "unknown provider, model, capability or template; nothing resolved",
    UNTRUSTED: "the manifest cannot be read or trusted (not a manifest, digest, version)",
}
_EDIT = Codes(
    ok="changed (or nothing to change)",
    problems="unknown provider/model, or the edit would not validate",
    reads=REGISTRY,
)

#: Every command, by its path as typed. Keep it sorted: helpers add rows side by side.
TABLE: dict[str, Codes] = {
    "activate": _EDIT,
    "active": Codes(ok="ok", problems=None, reads=MANIFEST, extra=_CLIENT),
    "apply": Codes(
        ok="applied (or nothing to change)",
        problems="problems, a stale plan, a busy or failing target, or cancelled",
        reads=REGISTRY,
    ),
    "candidates": Codes(
        ok="ok (an empty list when nothing can serve)",
        problems=None,
        reads=MANIFEST,
        extra=_CLIENT,
    ),
    "commit-back": Codes(
        ok="committed and pushed, or nothing to commit (the branch holds it or a newer one)",
        problems="not pushed after the last attempt, or git failed",
        reads=REGISTRY,
    ),
    "compile": Codes(
        ok="compiled (or up to date with --check)",
        problems="problems, or a stale lock with --check",
        reads=REGISTRY,
    ),
    "completion": Codes(ok="printed the script", problems=None),
    "cost": Codes(
        ok="ok",
        problems=None,
        reads=MANIFEST,
        extra=_CLIENT | {PRICING: "the model has no price for what was asked"},
    ),
    "cost-compare": Codes(
        ok="ok", problems="no priced model matches, or registry errors", reads=REGISTRY
    ),
    "deactivate": _EDIT,
    "docs": Codes(ok="written (or up to date with --check)", problems="stale pages with --check"),
    "doctor": Codes(
        ok="every credential reference of the enabled providers resolves here",
        problems="a credential reference does not resolve (its line says why)",
        reads=MANIFEST,
        extra=_CLIENT,
    ),
    "explain": Codes(ok="explained", problems=None),
    "export": Codes(ok="written", problems="registry problems", reads=REGISTRY),
    "export configmap": Codes(
        ok="written",
        problems="registry problems, or the manifest does not fit in a ConfigMap",
        reads=REGISTRY,
    ),
    "export static": Codes(
        ok="written (and published with --to)",
        problems="cannot write or publish (the message says where)",
        reads=MANIFEST,
        extra={UNTRUSTED: "the manifest cannot be read or trusted (digest, version, entry)"},
    ),
    "export litellm": Codes(
        ok="written",
        problems="registry problems; with --strict, something not expressible",
        reads=REGISTRY,
    ),
    "fmt": Codes(
        ok="formatted (or nothing to change)",
        problems="files would change with --check, or unparsable",
        reads=REGISTRY,
    ),
    "hook-fmt": Codes(ok="nothing to change", problems="files were reformatted (or unreadable)"),
    "hook-validate": Codes(ok="no errors in any registry the files belong to", problems="problems"),
    "import": _IMPORT,
    "import django": Codes(
        ok="imported",
        problems="the input could not be read, or a file exists (see --force); "
        "with --strict, something was dropped",
    ),
    "import litellm": _IMPORT,
    "import modelsdev": _IMPORT,
    "init": Codes(ok="scaffold written", problems="a file could not be written"),
    "ls": _READ,
    "ls models": Codes(
        ok="ok (also when nothing matches)",
        problems="the registry has errors (printed), or an unknown provider or capability",
        reads=REGISTRY,
    ),
    "ls providers": _READ,
    "models": Codes(
        ok="ok (also when nothing matches)", problems=None, reads=MANIFEST, extra=_CLIENT
    ),
    "plan": Codes(
        ok="planned",
        problems="problems in the registry, or the target failed",
        reads=REGISTRY,
        detailed=DETAILED,
    ),
    "resolve": Codes(ok="ok", problems=None, reads=MANIFEST, extra=_CLIENT),
    "rollback": Codes(
        ok="restored (or listed)",
        problems="no such digest, no history, or the target failed",
        reads=REGISTRY,
    ),
    "rules": Codes(ok="ok", problems=None),
    "schema": Codes(ok="written (or up to date with --check)", problems="stale files with --check"),
    "serve": Codes(
        ok="stopped by SIGINT/SIGTERM (requests in flight finished)",
        problems="cannot listen (address in use) or the serve extra is missing",
        reads=MANIFEST,
    ),
    "show": Codes(
        ok="ok",
        problems="unknown provider or model (with a did-you-mean), or registry errors",
        reads=REGISTRY,
    ),
    "spend": Codes(
        ok="ok (without --check: the report was printed)",
        problems="--check: a budget is exceeded or lines are malformed (spend not counted); "
        "a usage file cannot be read, or the budgets have errors",
        reads=REGISTRY,
        extra={SPEND_WARNING: "--check: a budget is past its warn_at share"},
    ),
    "target-path": Codes(
        ok="printed the path (or nothing: not a file target)", problems=None, reads=REGISTRY
    ),
    "templates": Codes(ok="ok", problems="a template failed", reads=REGISTRY),
    "templates render": Codes(
        ok="rendered", problems="unknown template, bad variables or registry errors", reads=REGISTRY
    ),
    "templates test": Codes(ok="all rendered", problems="a template failed", reads=REGISTRY),
    "validate": Codes(
        ok="no problems (warnings allowed)",
        problems="problems (warnings too with --strict)",
        reads=REGISTRY,
    ),
}


def codes(path: str) -> Codes:
    """The entry of ``path`` (``"ls models"``); a command without one is a programming error."""
    try:
        return TABLE[path]
    except KeyError:
        raise KeyError(f"regctl {path} has no entry in regctl.cli.exitcodes.TABLE") from None


def help_block(path: str) -> list[str]:
    """The ``Exit codes:`` lines ending ``regctl PATH --help`` (``  N  meaning``)."""
    entry = codes(path)
    lines = ["Exit codes:"]
    lines += [f"  {code}  {meaning}" for code, meaning in entry.lines().items()]
    if entry.detailed:
        lines += ["", "\b", "With --detailed-exitcode (as Terraform's):"]
        lines += [f"  {code}  {meaning}" for code, meaning in entry.detailed.items()]
    return lines
