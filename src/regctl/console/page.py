"""What every page shares: the request as pages see it, the error a page raises, and
the context every template gets (the manifest, the section, today, the warning days)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request

from regctl.console.state import ConsoleState, top
from regctl.console.web import Links

Out = Any  # (template, context, status) or a Response


class Problem(Exception):
    """A page that cannot be shown: its status, a kind the error page explains, a detail."""

    def __init__(self, status: int, kind: str, detail: str | None = None) -> None:
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Context:
    """One request as the pages see it."""

    request: Request
    lang: str
    links: Links

    def param(self, name: str, limit: int = 200) -> str:
        return self.request.query_params.get(name, "")[:limit]


def model_path(key: str) -> str:
    """``/models/openai/gpt-4o`` (each part of the key percent-encoded, its slashes kept)."""
    return "/models/" + quote(key, safe="/")


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def ready(state: ConsoleState) -> Any:
    snap = state.snapshot
    if snap is None:
        raise Problem(503, "not_ready", state.watcher.last_error)
    return snap


def common(state: ConsoleState, snap: Any, section: str, title: str = "") -> dict[str, Any]:
    return {
        "snap": snap,
        "section": section,
        "title": title,
        "loaded_at": state.loaded_at.get(snap.digest),
        "model_path": model_path,
        "today": today(),
        "warn_days": warn_days(snap),
    }


def warn_days(snap: Any) -> int:
    policy = top(snap).get("registry", {}).get("policy") or {}
    days = policy.get("deprecation_warning_days", 30) if isinstance(policy, dict) else 30
    return days if isinstance(days, int) and not isinstance(days, bool) else 30
