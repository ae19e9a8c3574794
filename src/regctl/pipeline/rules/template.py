"""Prompt templates must render.

Checked for every PromptTemplate: the ``system`` and ``user`` texts parse as Jinja2
(a syntax error is reported at its line inside the template's file); every variable the
texts use is declared under ``variables`` (templates render with StrictUndefined, so an
undeclared one would fail at run time); a declared variable that no text uses is a
warning. A ``model`` that is not ``provider/model`` of this registry, or a ``capability``
outside the vocabulary, is reported as ``unknown-reference``.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.messages.problems import Location, Problem
from regctl.pipeline.parse import Parsed
from regctl.pipeline.positions import PosDict
from regctl.pipeline.registry import View
from regctl.pipeline.template_check import LineOf, check_template

ID = "template"
PER_ENVIRONMENT = False  # templates and the model ids they pin are the same in every env


def _line_of(t: Parsed) -> LineOf:
    def line_of(path: tuple[str, ...]) -> Location:
        node: object = t.raw
        for i, key in enumerate(path):
            if not isinstance(node, PosDict) or key not in node:
                break
            if i == len(path) - 1:
                # A variable is pointed at by its name; a text or reference by its value.
                table = node.key_pos if len(path) > 1 else node.val_pos
                return table.get(key, node.pos)
            node = node[key]
        return t.raw.pos

    return line_of


def check(view: View) -> Iterator[Problem]:
    models = {f"{p}/{m}" for p, by_id in view.models.items() for m in by_id}
    for _, t in sorted(view.templates.items()):
        model = t.raw.get("model")
        known = models
        if isinstance(model, str) and model.partition("/")[0] in view.broken:
            known = models | {model}  # the broken provider's schema problem is the one to fix
        yield from check_template(
            dict(t.raw),
            t.file,
            _line_of(t),
            known_models=known if view.complete else None,
            known_capabilities=view.capabilities,
        )
