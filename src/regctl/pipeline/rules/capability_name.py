"""Capability names come from the vocabulary.

The vocabulary is ``chat``, ``completion``, ``embedding``, ``image``, ``vision``,
``audio``, ``speech``, ``transcription``, ``code``, ``tools``, ``reasoning``,
``rerank``, ``moderation``, plus the names the Registry document declares under
``capabilities``. A model's capabilities and the keys of ``defaults`` and
``fallbacks`` are checked; an unknown name is reported under the ``schema`` rule
id with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Location, Problem
from regctl.pipeline.parse import did_you_mean
from regctl.pipeline.positions import PosDict, PosList
from regctl.pipeline.registry import View

ID = "schema"
PER_ENVIRONMENT = False


def check(view: View) -> Iterator[Problem]:
    vocab = sorted(view.capabilities)
    for m in view.all_models() + view.orphans:
        caps = m.raw.get("capabilities")
        if not isinstance(caps, PosList):
            continue
        for i, cap in enumerate(caps):
            if cap not in view.capabilities:  # positions are looked up only for a miss
                owner = msg("model '{model}'", model=f"{m.provider}/{m.obj.id}")
                yield _unknown(cap, caps.item_pos[i], vocab, owner)
    for table in (view.defaults_raw, view.fallbacks_raw):
        if isinstance(table, PosDict):
            for cap in table:
                if cap not in view.capabilities:
                    yield _unknown(cap, table.key_pos[cap], vocab, msg("the registry"))


def _unknown(cap: str, pos: Location, vocab: list[str], owner: str) -> Problem:
    return Problem(
        ID,
        msg(
            "unknown capability '{cap}' in {owner}{hint}; declare new names under the "
            "Registry document's capabilities",
            cap=cap,
            owner=owner,
            hint=did_you_mean(cap, vocab),
        ),
        pos,
    )
