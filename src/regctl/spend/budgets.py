"""The Registry document's budgets, for ``regctl spend`` and the console's spend page."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_budgets(registry: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """(budgets, error lines) of ``registry``.

    Problems elsewhere in the registry do not stop a spend report; a Registry document
    that does not parse, or a budget whose scope names nothing, does: then the budgets
    are empty and each error is a ``file:line:col: error [rule] message`` line.
    """
    from regctl.messages.problems import Severity
    from regctl.pipeline.validate import validate

    report = validate(registry, envs=[])
    doc = report.registry.base.registry_doc
    errors = [
        f"{p.location}: error [{p.rule}] {p.message}"
        for p in report.problems
        if p.severity is Severity.ERROR and (doc is None or "budgets" in p.message)
    ]
    if errors:
        return [], errors
    return ([b.model_dump() for b in doc.budgets] if doc else []), []
