"""Did-you-mean hints, shared by the validator, the CLI and the runtime client.

Standard library only (the runtime client uses it). A hint never repeats the word that
was typed: suggesting the typo itself (or an entry equal to it) helps nobody.
"""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (case-insensitively), never ``word`` itself."""
    pool = [c for c in dict.fromkeys(choices) if c != word]
    lowered = {c.lower(): c for c in pool}
    for key in (word.lower(),):
        if key in lowered:  # only the case differs
            return lowered[key]
    import difflib  # only when a hint is needed: the client imports this module at load

    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` or ``""``."""
    match = closest(word, choices, cutoff)
    if not match:
        return ""
    from regctl.base.i18n import msg  # stdlib only, like this module

    return msg(" (did you mean '{match}'?)", match=match)


def unknown(
    template: str, word: str, known: Iterable[str], /, none: str = "", **fields: str
) -> str:
    """``template`` (a catalogue id marked with ``N_``, with ``{hint}`` and ``{known}``)
    filled for ``word``: the did-you-mean hint and the sorted known names (``none`` when
    there are none). ``fields`` names ``word`` in the template (``provider=pid``)."""
    from regctl.base.i18n import msg

    names = sorted(dict.fromkeys(known))
    return msg(template, **fields, hint=did_you_mean(word, names), known=", ".join(names) or none)
