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


#: What became of a source row (``regctl import django`` reports one per row).
ROW_STATUSES = ("imported", "mapped", "not-needed", "dropped")
#: The detail of a row of Django's own tables (listed one by one only with --verbose).
FRAMEWORK_ROW = "Django's own table"


@dataclass(frozen=True)
class RowOutcome:
    """One source row: ``imported`` as ``target``, ``mapped`` onto ``target`` (merged, or
    carried as a reference), ``not-needed`` (nothing in it for a registry), or ``dropped``."""

    row: str
    status: str
    target: str = ""
    detail: str = ""

    def __str__(self) -> str:
        to = f" -> {self.target}" if self.target else ""
        return f"{self.row}: {self.status}{to}" + (f" ({self.detail})" if self.detail else "")


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
    rows: list[RowOutcome] = field(default_factory=list)
    losses: list[Entry] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)  # importer-specific JSON sections

    def row(self, row: str, status: str, target: str = "", detail: str = "") -> None:
        """Say what became of one source row (see :data:`ROW_STATUSES`)."""
        assert status in ROW_STATUSES, status
        self.rows.append(RowOutcome(row, status, target, detail))

    def lose(self, path: str, reason: str, detail: str = "") -> None:
        """Record a field of an imported row that could not be carried over."""
        self.losses.append(Entry(path, reason, detail))

    def dropped(self) -> int:
        """Rows dropped, fields lost and things skipped: what ``--strict`` refuses."""
        return sum(r.status == "dropped" for r in self.rows) + len(self.losses) + len(self.skipped)

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
            **(
                {
                    "rows_by_status": dict(sorted(Counter(r.status for r in self.rows).items())),
                    "rows": [_masked(r) for r in self.rows],
                    "losses": [_masked(e) for e in sorted(self.losses, key=_key)],
                    "dropped": self.dropped(),
                }
                if self.rows
                else {}
            ),
            # Importer-specific sections; they never shadow a common key above.
            **{k: v for k, v in self.extra.items() if k not in _COMMON},
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
        if self.rows:
            counts = Counter(r.status for r in self.rows)
            lines.append(
                f"{len(self.rows)} source row(s): "
                + ", ".join(f"{counts[s]} {s}" for s in ROW_STATUSES if counts[s])
            )
            own = [r for r in self.rows if r.detail == FRAMEWORK_ROW]
            lines += [f"  {r}" for r in self.rows if verbose or r.detail != FRAMEWORK_ROW]
            if own and not verbose:
                lines.append(f"  ... {len(own)} row(s) of Django's own tables: not-needed (-v)")
        if self.losses:
            lines.append(f"dropped {len(self.losses)} field(s) of imported rows:")
            lines += [f"  {e}" for e in sorted(self.losses, key=_key)]
        if self.notes:
            lines.append(f"adjusted {len(self.notes)} field(s) on imported items:")
            lines += [f"  {n:6d}  {r}" for r, n in self.notes_by_reason().items()]
            if verbose:
                lines += [f"    {e}" for e in sorted(self.notes, key=_key)]
        # Imported data is untrusted: no key in it is repeated, no line can hijack a log.
        return "\n".join(safe_line(redact(line)) for line in lines)


_COMMON = frozenset(
    ("source", "providers", "models", "skipped", "notes", "env_vars", "files", "rows", "losses")
)


def _masked(e: Entry | RowOutcome) -> dict[str, object]:
    return {k: redact(v) if isinstance(v, str) else v for k, v in e.__dict__.items()}


def _key(e: Entry) -> tuple[str, str, str]:
    return (e.path, e.reason, e.detail)
