"""What an import did not carry over, and why: nothing is dropped silently.

Every importer fills an :class:`ImportReport`. ``skipped`` holds whole things
(a model file, a provider, a price-map entry) that could not be mapped, each with
its path and a reason code; ``notes`` holds field-level losses and adjustments
(a price kind regctl has no field for, an output limit above the context window)
that did not stop the model from being imported. Both are counted by reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from regctl.base.redact import redact
from regctl.base.textsafe import safe_line


@dataclass(frozen=True)
class Entry:
    """One skipped item or one note: where (file or key), the reason code, details."""

    path: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class ImportReport:
    """The outcome of one import run (counts, skips, notes, variables to set)."""

    source: str
    providers: int = 0
    models: int = 0
    skipped: list[Entry] = field(default_factory=list)
    notes: list[Entry] = field(default_factory=list)
    env_vars: dict[str, str] = field(default_factory=dict)  # NAME -> why/which provider
    files: list[str] = field(default_factory=list)

    def skip(self, path: str, reason: str, detail: str = "") -> None:
        """Record a thing that was not imported."""
        self.skipped.append(Entry(path, reason, detail))

    def note(self, path: str, reason: str, detail: str = "") -> None:
        """Record a field that was dropped or adjusted on an imported thing."""
        self.notes.append(Entry(path, reason, detail))

    def skipped_by_reason(self) -> dict[str, int]:
        """Reason code -> number of skipped items, sorted by reason."""
        return dict(sorted(Counter(e.reason for e in self.skipped).items()))

    def notes_by_reason(self) -> dict[str, int]:
        """Reason code -> number of notes, sorted by reason."""
        return dict(sorted(Counter(e.reason for e in self.notes).items()))

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (``--report FILE``)."""
        return {
            "source": redact(self.source),
            "providers": self.providers,
            "models": self.models,
            "skipped_by_reason": self.skipped_by_reason(),
            "notes_by_reason": self.notes_by_reason(),
            "skipped": [_masked(e) for e in sorted(self.skipped, key=_key)],
            "notes": [_masked(e) for e in sorted(self.notes, key=_key)],
            "env_vars": dict(sorted(self.env_vars.items())),
            "files": sorted(self.files),
        }

    def render(self, *, verbose: bool = False, limit: int = 20) -> str:
        """A human summary: counts by reason, then the skipped items (all when verbose)."""
        lines = [
            f"imported {self.providers} provider(s), {self.models} model(s) from {self.source}"
        ]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)}:")
            lines += [f"  {n:6d}  {r}" for r, n in self.skipped_by_reason().items()]
            # Causes first: a provider's own reason before each of its models' "provider-skipped".
            shown = sorted(self.skipped, key=lambda e: (e.reason == "provider-skipped", _key(e)))
            for e in shown if verbose else shown[:limit]:
                lines.append(f"    {e}")
            if not verbose and len(shown) > limit:
                lines.append(f"    ... {len(shown) - limit} more (--verbose or --report FILE)")
        if self.notes:
            lines.append(f"adjusted {len(self.notes)} field(s) on imported items:")
            lines += [f"  {n:6d}  {r}" for r, n in self.notes_by_reason().items()]
            if verbose:
                lines += [f"    {e}" for e in sorted(self.notes, key=_key)]
        # Imported data is untrusted: no key in it is repeated, no line can hijack a log.
        return "\n".join(safe_line(redact(line)) for line in lines)


def _masked(e: Entry) -> dict[str, object]:
    return {k: redact(v) if isinstance(v, str) else v for k, v in e.__dict__.items()}


def _key(e: Entry) -> tuple[str, str, str]:
    return (e.path, e.reason, e.detail)
