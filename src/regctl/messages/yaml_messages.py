"""libyaml's syntax errors said in the user's language.

libyaml reports a syntax error as an optional *context* ("while parsing a flow
sequence") and a *problem* ("did not find expected ',' or ']'"), both from a small fixed
set of English phrases. Each known phrase maps to a catalog message; the English text of
a problem stays exactly libyaml's (joined as before), so JSON output does not change.
An unknown phrase is shown as libyaml wrote it.
"""

from __future__ import annotations

import yaml

from regctl.base.i18n import N_, Msg, msg

#: libyaml's phrases -> catalog ids (the same English words, so ``en`` output is unchanged)
_PHRASES = {
    p: p
    for p in (
        N_("while parsing a block collection"),
        N_("while parsing a block mapping"),
        N_("while parsing a flow sequence"),
        N_("while parsing a flow mapping"),
        N_("while parsing a flow node"),
        N_("while parsing a block node"),
        N_("while parsing a node"),
        N_("while scanning a simple key"),
        N_("while scanning a quoted scalar"),
        N_("while scanning a block scalar"),
        N_("while scanning an alias"),
        N_("while scanning an anchor"),
        N_("while scanning a tag"),
        N_("while scanning a directive"),
        N_("while scanning for the next token"),
        N_("mapping values are not allowed in this context"),
        N_("did not find expected key"),
        N_("did not find expected '-' indicator"),
        N_("did not find expected ',' or ']'"),
        N_("did not find expected ',' or '}'"),
        N_("did not find expected node content"),
        N_("could not find expected ':'"),
        N_("found undefined alias"),
        N_("found character that cannot start any token"),
        N_("found unexpected end of stream"),
        N_("found unexpected document indicator"),
        N_("found incompatible YAML document"),
        N_("found duplicate anchor"),
        N_("found unknown escape character"),
        N_("found a tab character that violates indentation"),
        N_("found a tab character where an indentation space is expected"),
        N_("block sequence entries are not allowed in this context"),
        N_("did not find URI escaped octet"),
        N_("expected <document start>, but found another token"),
    )
}


def _phrase(text: str) -> str:
    """One libyaml phrase as a :class:`Msg` when it is a known one, else as written."""
    return Msg(_PHRASES[text]) if text in _PHRASES else text


def syntax(exc: yaml.MarkedYAMLError, tab: bool) -> str:
    """The message for a libyaml syntax error; ``tab`` when the mark is on a tab."""
    if tab:  # libyaml's message for a tab says only "cannot start any token"
        return msg("tab character: YAML indentation must use spaces, not tabs")
    parts = [_phrase(s) for s in (exc.context, exc.problem) if s]
    if len(parts) == 2:
        return msg("{context} {problem}", context=parts[0], problem=parts[1])
    return parts[0] if parts else msg("invalid YAML")


def other(exc: yaml.YAMLError) -> str:
    """A YAML error without a position (rare: a reader or emitter error)."""
    return msg("invalid YAML: {detail}", detail=str(exc))
