"""Localized messages: gettext catalogs shipped in the package (English and Persian).

The language comes from ``--lang``, then ``$REGCTL_LANG``, then ``$LANG``
(``fa_IR.UTF-8`` -> ``fa``); anything without a catalog is English. Catalogs are
made with Babel (``scripts/i18n.sh``) and read with the standard library's
:mod:`gettext`, so nothing extra is needed at run time.

Messages that are also machine output (JSON, GitHub annotations, sort keys) are
built with :func:`msg`: a :class:`Msg` *is* the English string, and remembers its
template and arguments so the text reporter can say it in the user's language.
Rule ids and JSON output never change with the language.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

DOMAIN = "regctl"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: Languages with a catalog (English needs none).
LANGUAGES = ("en", "fa")
#: Right-to-left languages: their messages are isolated so they cannot reorder the
#: ``file:line:col`` prefix in a bidi-aware terminal.
RTL = frozenset({"fa", "ar", "he", "ur"})


class _English:
    """English, the catalogs' own language: what gettext.NullTranslations does, without
    importing gettext (and locale) in every process that never shows another language,
    such as an app loading a manifest with the runtime client."""

    def gettext(self, text: str) -> str:
        return text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


_state: dict[str, Any] = {"lang": "en", "tr": _English()}
#: The language of one request of a server (``using``); the process's otherwise. A
#: context variable, so each thread and task sees its own.
_request: ContextVar[dict[str, Any] | None] = ContextVar("regctl_language", default=None)


def _now() -> dict[str, Any]:
    return _request.get() or _state


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Show messages in ``lang`` (``en`` without a catalog) inside the block, in this thread
    or task only: a server answers each caller in theirs while others answer in theirs."""
    code, tr = catalog(lang)
    token = _request.set({"lang": code, "tr": tr})
    try:
        yield code
    finally:
        _request.reset(token)


def normalize(value: str | None) -> str | None:
    """``fa_IR.UTF-8`` -> ``fa``; ``C``/``POSIX``/empty -> ``None`` (no preference)."""
    if not value:
        return None
    code = value.split(":")[0].split(".")[0].split("@")[0].replace("-", "_")
    code = code.split("_")[0].lower()
    if code in ("", "c", "posix"):
        return None
    return code


def choose_language(cli: str | None = None) -> str:
    """``--lang``, then ``$REGCTL_LANG``, then ``$LANG``; ``en`` when none names one."""
    for value in (cli, os.environ.get("REGCTL_LANG"), os.environ.get("LANG")):
        code = normalize(value)
        if code is not None:
            return code
    return "en"


def set_language(lang: str | None, stream: Any = None) -> str:
    """Use ``lang`` (a code or a locale name) for messages from now on; returns the code.

    With ``stream``, a language whose script the stream cannot encode (an ASCII
    terminal) falls back to English rather than failing on output.
    """
    code = normalize(lang) or "en"
    if code != "en" and stream is not None:
        try:
            "ی".encode(getattr(stream, "encoding", None) or "ascii")
        except (UnicodeEncodeError, LookupError):
            code = "en"
    _state["lang"] = code
    _state["tr"] = catalog(code)[1] if code in LANGUAGES else _translations(code)
    return code


def language() -> str:
    """The language code messages are shown in now."""
    return str(_now()["lang"])


def is_rtl() -> bool:
    return language() in RTL


def _(text: str) -> str:
    """``text`` in the current language (itself when there is no translation)."""
    return str(_now()["tr"].gettext(text))


def N_(text: str) -> str:
    """Mark ``text`` for the catalog without translating it now (translated where shown)."""
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language."""
    return str(_now()["tr"].ngettext(singular, plural, n))


class Msg(str):
    """An English message that can also render itself in the current language.

    ``Msg("unknown kind '{kind}'", kind="Foo") == "unknown kind 'Foo'"``; the
    template is the catalog's message id.
    """

    template: str
    args: dict[str, Any]

    def __new__(cls, template: str, /, **args: Any) -> Msg:
        self = super().__new__(cls, template.format(**args) if args else template)
        self.template = template
        self.args = args
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, self.args))


def _rebuild(template: str, args: dict[str, Any]) -> Msg:
    return Msg(template, **args)


def msg(template: str, /, **args: Any) -> Msg:
    """Mark ``template`` for translation and fill it (``str.format`` fields)."""
    return Msg(template, **args)


def localize(text: str) -> str:
    """A :class:`Msg` in the current language (its parts too); other text unchanged."""
    now = _now()
    if now["lang"] == "en":
        return str(text)
    return translate(text, now["lang"], now["tr"])


_catalogs: dict[str, Any] = {}


def catalog(lang: str | None) -> tuple[str, Any]:
    """The language code with a catalog for ``lang`` (``fa_IR.UTF-8`` -> ``fa``; ``en``
    when there is none) and its translations. Cached: safe to call per request."""
    code = normalize(lang) or "en"
    if code not in LANGUAGES:
        code = "en"
    tr = _catalogs.get(code)
    if tr is None:
        tr = _catalogs[code] = _translations(code)
    return code, tr


def _translations(code: str) -> Any:
    """The catalog of ``code`` (English, and languages without a catalog: the text itself)."""
    if code == "en":
        return _English()
    import gettext  # only for a language other than English

    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def translate(text: str, lang: str | None, tr: Any = None) -> str:
    """``text`` (a :class:`Msg`, its parts too) in ``lang``, without touching the language
    of the process: for a library or a server answering each caller in theirs."""
    if not isinstance(text, Msg):
        return str(text)
    if tr is None:
        code, tr = catalog(lang)
        if code == "en":
            return str(text)
    args = {k: translate(v, lang, tr) if isinstance(v, Msg) else v for k, v in text.args.items()}
    try:
        return str(tr.gettext(text.template)).format(**args)
    except (KeyError, IndexError, ValueError):
        return str(text)  # a broken translation must not hide the message


def tr(template: str, /, **args: Any) -> str:
    """``template`` filled with ``args``, in the current language (for text shown at once).

    :func:`msg` is for messages that are also machine output; ``tr`` for lines that only a
    person reads (status lines, prompts).
    """
    return localize(Msg(template, **args))
