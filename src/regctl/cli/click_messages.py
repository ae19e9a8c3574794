"""click's own messages (usage errors, help labels) said in the user's language.

click marks its strings with the standard library's ``gettext`` under the default
domain, which regctl does not own. Instead, the click modules' ``_``/``ngettext`` are
pointed at regctl's catalog (:func:`install`), and the message ids click uses are listed
below so Babel extracts them into it. A click release that rewords one of them shows
that message in English: nothing breaks.
"""

from __future__ import annotations

import importlib

from regctl.base import i18n

_MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui")


def install() -> None:
    """Route click's ``_``/``ngettext`` through regctl's catalog (idempotent)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a click without that module
            continue
        if hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def _catalog() -> None:  # pragma: no cover - never called; read by Babel's extractor
    _ = i18n._
    ngettext = i18n.ngettext
    _("Usage:")
    _("Options")
    _("Commands")
    _("Error: {message}")
    _("Try '{command} {option}' for help.")
    _("Invalid value: {message}")
    _("Invalid value for {param_hint}: {message}")
    _("Missing argument")
    _("Missing option")
    _("Missing parameter")
    _("Missing command.")
    _("Missing {param_type}")
    _("Missing parameter: {param_name}")
    _("No such option {name!r}.")
    _("No such command {name!r}.")
    _("Did you mean {possibility}?")
    _("(Did you mean one of: {possibilities}?)")
    _("Option {name!r} requires an argument.")
    _("Option {name!r} does not take a value.")
    _("Show this message and exit.")
    _("Show the version and exit.")
    _("Aborted!")
    _("default: {default}")
    _("required")
    _("{value!r} is not a valid {number_type}.")
    _("{value} is not in the range {range}.")
    _("Choose from:\n\t{choices}")
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
