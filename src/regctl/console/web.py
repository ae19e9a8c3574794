"""Rendering: the Jinja2 environment, the request's language, links, and safe responses.

Every value a template prints goes through autoescaping *and* :func:`visible` (the
environment's ``finalize``): names and descriptions come from pull requests, so HTML is
escaped and control, bidirectional and invisible characters are shown as escapes
(``\\u202e``), never obeyed. No template marks anything safe. The pages load one
stylesheet and one script from ``/ui/static/`` and nothing else, and every answer
carries a Content-Security-Policy that allows exactly that (no inline script or style,
no other origin, Trusted Types for the one place the script inserts HTML).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup

from regctl.base import i18n
from regctl.base.textsafe import BIDI, INVISIBLE
from regctl.console.fmt import FILTERS

PREFIX = "/ui"

#: The one policy of every console answer. ``require-trusted-types-for`` makes the
#: browser refuse any HTML string given to a DOM sink except through the script's one
#: named policy (``console``), which only ever receives this server's own answers.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    "require-trusted-types-for 'script'; trusted-types console"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), clipboard-read=()",
}

# C0 and C1 controls (but tab and newline, which HTML shows as space or keeps in <pre>),
# the line separators, bidi controls and invisible characters.
_HIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u0085{BIDI}{INVISIBLE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(value: Any) -> Any:
    """What a template prints: text with hidden characters written as escapes."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _HIDDEN.sub(_escape, value) if _HIDDEN.search(value) else value
    return value


def _asset(name: str) -> bytes:
    return resources.files("regctl.console").joinpath("static").joinpath(name).read_bytes()


@dataclass(frozen=True)
class Asset:
    """A static file: its bytes, type and the version its URL carries (cached forever)."""

    body: bytes
    media_type: str
    version: str


@cache
def assets() -> Mapping[str, Asset]:
    """``console.css``, ``console.js`` and ``favicon.svg``, read once."""
    out = {}
    for name, media in (
        ("console.css", "text/css; charset=utf-8"),
        ("console.js", "text/javascript; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ):
        body = _asset(name)
        out[name] = Asset(body, media, hashlib.sha256(body).hexdigest()[:12])
    return out


def static_url(name: str) -> str:
    return f"{PREFIX}/static/{name}?v={assets()[name].version}"


@cache
def environment() -> jinja2.Environment:
    """The templates' environment (autoescaped, strict about undefined names)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("regctl.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=visible,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["static"] = static_url
    env.filters.update(FILTERS)
    return env


def _quality(part: str) -> float:
    for param in part.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def choose_language(query: str | None, accept: str | None) -> tuple[str, bool]:
    """(language code, whether ``?lang=`` chose it): ``?lang=``, then ``Accept-Language``
    by preference, then English. Only languages with a catalogue are chosen."""
    if query:
        code = i18n.normalize(query[:35]) or "en"
        return (code if code in i18n.LANGUAGES else "en"), True
    if accept:
        tags = []
        for n, part in enumerate(accept[:1000].split(",")[:20]):
            tag = part.split(";")[0].strip()
            q = _quality(part)
            if tag and tag != "*" and q > 0:
                tags.append((-q, n, tag))
        for _q, _n, tag in sorted(tags):
            found = i18n.normalize(tag)
            if found in i18n.LANGUAGES:
                return str(found), False
    return "en", False


class Links:
    """Builds console URLs; a language chosen with ``?lang=`` stays in every link."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang

    def __call__(self, path: str, /, **params: Any) -> str:
        pairs = [(k, v) for k, v in params.items() if v is not None and v != ""]
        if self.lang:
            pairs.append(("lang", self.lang))
        query = urlencode([(k, str(v)) for k, v in pairs])
        return PREFIX + path + (f"?{query}" if query else "")


def render(template: str, lang: str, **context: Any) -> str:
    """``template`` rendered in ``lang`` (its labels through the message catalogue)."""
    with i18n.using(lang) as code:
        return (
            environment()
            .get_template(template)
            .render(
                lang=code,
                dir="rtl" if code in i18n.RTL else "ltr",
                _=_gettext,
                ngettext=_ngettext,
                **context,
            )
        )


def _gettext(text: str, /, **args: Any) -> str:
    said = i18n._(text)
    if not args:
        return said
    try:
        return said.format(**args)
    except (KeyError, IndexError, ValueError):  # a broken translation must not hide a page
        return text.format(**args)


def _ngettext(singular: str, plural: str, n: int, /, **args: Any) -> str:
    said = i18n.ngettext(singular, plural, n)
    try:
        return said.format(n=n, **args)
    except (KeyError, IndexError, ValueError):
        return (singular if n == 1 else plural).format(n=n, **args)
