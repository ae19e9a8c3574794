"""Stage 3: assemble typed documents into one registry, and overlay environments.

Assembly indexes providers, models, templates and environments by id (a second
one with the same id is a ``duplicate-id`` problem naming both places). An
environment is applied at the raw level, so that every merged value keeps the
position of the file that set it: a conflict caused by ``prod.yaml`` points at
``prod.yaml``. Mappings merge key by key; lists and scalars replace, as in a
Kubernetes strategic merge of plain fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from regctl.base import i18n
from regctl.messages.problems import Location, Problem
from regctl.pipeline import fastschema
from regctl.pipeline.parse import Parsed, ParsedModel, parse_document, parse_models, validate
from regctl.pipeline.positions import PosDict
from regctl.pipeline.source import LoadResult
from regctl.pipeline.vocab import CAPABILITIES

if TYPE_CHECKING:
    from regctl.pipeline.schema import ModelBody, ModelDoc, ProviderDoc, RegistryDoc


@dataclass
class ProviderEntry:
    obj: ProviderDoc
    raw: PosDict
    file: str

    @property
    def pos(self) -> Location:
        return self.raw.val_pos.get("id", self.raw.pos)


@dataclass
class View:
    """The effective registry of one environment (``env`` is ``None`` for the base)."""

    env: str | None
    as_of: dt.date
    registry: Parsed | None
    providers: dict[str, ProviderEntry]
    models: dict[str, dict[str, ParsedModel]]
    orphans: list[ParsedModel]
    templates: dict[str, Parsed]
    defaults: dict[str, str]
    fallbacks: dict[str, list[str]]
    # where each default/fallback entry was written (the env file for overridden ones)
    defaults_raw: PosDict | None = None
    fallbacks_raw: PosDict | None = None
    documents: list[Parsed] = field(default_factory=list)
    complete: bool = True  # False when some file could not be read at all
    # Providers with a document or model that failed validation: references to them are
    # not reported as dangling or unserved (the schema problem is the one to fix).
    broken: frozenset[str] = frozenset()
    env_file: str | None = None  # the Environment document's file, for env views

    @property
    def registry_doc(self) -> RegistryDoc | None:
        return self.registry.obj if self.registry else None  # type: ignore[return-value]

    @property
    def capabilities(self) -> frozenset[str]:
        extra = self.registry_doc.capabilities if self.registry_doc else []
        return frozenset(CAPABILITIES).union(extra)

    @property
    def secret_schemes(self) -> frozenset[str]:
        return frozenset(self.registry_doc.secret_schemes if self.registry_doc else [])

    def in_env(self) -> str:
        return i18n.msg(" in environment '{env}'", env=self.env) if self.env else ""

    def all_models(self) -> list[ParsedModel]:
        return [m for by_id in self.models.values() for m in by_id.values()]


@dataclass
class Registry:
    """The parsed registry: the base view, the environments, and assembly problems."""

    base: View
    environments: dict[str, Parsed]
    problems: list[Problem]

    def view(self, env: str | None) -> tuple[View, list[Problem]]:
        """The effective registry for ``env`` and the problems the overlay itself has."""
        if env is None:
            return self.base, []
        return overlay(self.base, self.environments[env])


def _dup(kind: str, ident: str, here: Location, first: Location) -> Problem:
    return Problem(
        "duplicate-id",
        i18n.msg("duplicate {kind} id '{id}' (first at {first})", kind=kind, id=ident, first=first),
        here,
        related=(first,),
    )


def _id_pos(raw: PosDict) -> Location:
    return raw.val_pos.get("id", raw.pos)


def build(load: LoadResult, as_of: dt.date) -> Registry:
    """Parse every document and index it; nothing here raises for bad content."""
    problems: list[Problem] = []
    parsed: list[Parsed] = []
    broken: set[str] = set()
    for doc in load.documents:
        p, probs = parse_document(doc)
        problems.extend(probs)
        if p is not None:
            parsed.append(p)
        elif (
            probs
            and isinstance(doc.data, PosDict)
            and doc.data.get("kind") in ("Provider", "Model")
        ):
            ident = doc.data.get("provider" if doc.data.get("kind") == "Model" else "id")
            if isinstance(ident, str):
                broken.add(ident)

    registry: Parsed | None = None
    providers: dict[str, ProviderEntry] = {}
    models: dict[str, dict[str, ParsedModel]] = {}
    standalone: list[ParsedModel] = []
    templates: dict[str, Parsed] = {}
    environments: dict[str, Parsed] = {}
    for p in parsed:
        if p.kind == "Provider":
            obj: Any = p.obj
            if obj.id in providers:
                problems.append(_dup("provider", obj.id, _id_pos(p.raw), providers[obj.id].pos))
                continue
            providers[obj.id] = ProviderEntry(obj, p.raw, p.file)
            inline, probs = parse_models(obj.id, p.raw.get("models"), p.raw, p.file)
            problems.extend(probs)
            if probs:
                broken.add(obj.id)
            by_id = models.setdefault(obj.id, {})
            for m in inline:
                _add_model(by_id, m, problems)
        elif p.kind == "Model":
            mdoc: Any = p.obj
            standalone.append(ParsedModel(mdoc.provider, _body(mdoc), p.raw, p.file))
        elif p.kind == "Registry":
            if registry is not None:
                first = registry.raw.pos
                msg = i18n.msg(
                    "a second Registry document (first at {first}); there may be only one",
                    first=first,
                )
                problems.append(Problem("duplicate-id", msg, p.raw.pos, related=(first,)))
                continue
            registry = p
        else:
            table = templates if p.kind == "PromptTemplate" else environments
            ident = p.obj.id  # type: ignore[attr-defined]
            if ident in table:
                what = "template" if p.kind == "PromptTemplate" else "environment"
                problems.append(_dup(what, ident, _id_pos(p.raw), _id_pos(table[ident].raw)))
                continue
            table[ident] = p

    orphans = []
    for m in standalone:
        if m.provider in providers:
            _add_model(models.setdefault(m.provider, {}), m, problems)
        else:
            orphans.append(m)

    reg_doc: Any = registry.obj if registry else None
    base = View(
        env=None,
        as_of=as_of,
        registry=registry,
        providers=providers,
        models=models,
        orphans=orphans,
        templates=templates,
        defaults=dict(reg_doc.defaults) if reg_doc else {},
        fallbacks={k: list(v) for k, v in reg_doc.fallbacks.items()} if reg_doc else {},
        defaults_raw=_sub(registry.raw, "defaults") if registry else None,
        fallbacks_raw=_sub(registry.raw, "fallbacks") if registry else None,
        documents=parsed,
        complete=not load.problems,
        broken=frozenset(broken),
    )
    return Registry(base, environments, problems)


def _body(doc: ModelDoc) -> ModelBody:
    # Already validated as ModelDoc; copy the fields (nested models stay typed).
    if isinstance(doc, fastschema.FastModel):
        return fastschema.construct("ModelBody", doc.__dict__)  # type: ignore[no-any-return]
    from regctl.pipeline.schema import ModelBody  # the document came through pydantic

    return ModelBody.model_construct(**{f: getattr(doc, f) for f in ModelBody.model_fields})


def _add_model(by_id: dict[str, ParsedModel], m: ParsedModel, problems: list[Problem]) -> None:
    first = by_id.get(m.obj.id)
    if first is not None:
        where = _id_pos(first.raw)
        msg = i18n.msg(
            "duplicate model id '{id}' in provider '{provider}' (first at {first})",
            id=m.obj.id,
            provider=m.provider,
            first=where,
        )
        problems.append(Problem("duplicate-id", msg, _id_pos(m.raw), related=(_id_pos(first.raw),)))
        return
    by_id[m.obj.id] = m


def _sub(raw: PosDict, key: str) -> PosDict | None:
    value = raw.get(key)
    return value if isinstance(value, PosDict) else None


def merge(base: PosDict, over: PosDict) -> PosDict:
    """Deep-merge ``over`` onto ``base``; positions follow the side that set the value."""
    out = PosDict.layered(base, over)  # positions: over's keys from over, the rest from base
    out.update(base)
    for key, value in over.items():
        old = out.get(key)
        out[key] = (
            merge(old, value) if isinstance(old, PosDict) and isinstance(value, PosDict) else value
        )
    return out


def overlay(base: View, env: Parsed) -> tuple[View, list[Problem]]:
    """Apply one Environment document to the base view."""
    doc: Any = env.obj
    assert type(doc).__name__ == "EnvironmentDoc"
    problems: list[Problem] = []
    providers = dict(base.providers)
    models = {pid: dict(by_id) for pid, by_id in base.models.items()}
    over_all = env.raw.get("providers")
    if isinstance(over_all, PosDict):
        for pid, over in over_all.items():
            if pid not in providers:
                key_pos = over_all.key_pos[pid]  # positions only for a problem
                msg = i18n.msg(
                    "environment '{env}' overlays provider '{provider}', which does not exist",
                    env=doc.id,
                    provider=pid,
                )
                problems.append(Problem("unknown-reference", msg, key_pos))
                continue
            if not isinstance(over, PosDict):
                text = i18n.msg("providers.{provider}: must be a mapping", provider=pid)
                problems.append(Problem("schema", text, over_all.key_pos[pid]))
                continue
            _overlay_provider(pid, over, providers, models, problems, doc.id)

    defaults = dict(base.defaults)
    defaults.update(doc.defaults)
    fallbacks = {k: list(v) for k, v in base.fallbacks.items()}
    fallbacks.update({k: list(v) for k, v in doc.fallbacks.items()})
    view = replace(
        base,
        env=doc.id,
        env_file=env.file,
        providers=providers,
        models=models,
        defaults=defaults,
        fallbacks=fallbacks,
        defaults_raw=_merged_opt(base.defaults_raw, _sub(env.raw, "defaults")),
        fallbacks_raw=_merged_opt(base.fallbacks_raw, _sub(env.raw, "fallbacks")),
    )
    return view, problems


def _merged_opt(base: PosDict | None, over: PosDict | None) -> PosDict | None:
    if base is None or over is None:
        return over if base is None else base
    return merge(base, over)


def _from_overlay(problems: list[Problem], over: PosDict) -> list[Problem]:
    """Keep the problems the overlay caused; the base file's own were reported already."""
    return [p for p in problems if p.location.file == over.pos.file]


def _overlay_provider(
    pid: str,
    over: PosDict,
    providers: dict[str, ProviderEntry],
    models: dict[str, dict[str, ParsedModel]],
    problems: list[Problem],
    env_id: str,
) -> None:
    entry = providers[pid]
    fields = {k: v for k, v in over.items() if k != "models"}
    if "id" in fields:
        problems.append(
            Problem(
                "schema",
                i18n.msg("an overlay cannot change a provider's id"),
                over.key_pos["id"],
            )
        )
        return
    if fields:
        raw_over = PosDict.layered(over)
        raw_over.update(fields)
        base_raw = entry.raw.copy_with()
        base_raw.pop("models", None)
        merged = merge(base_raw, raw_over)
        obj, probs = validate("ProviderDoc", merged, prefix=f"providers.{pid}.")
        problems.extend(_from_overlay(probs, over))
        if obj is not None:
            providers[pid] = ProviderEntry(obj, merged, entry.file)
    _overlay_models(pid, over, models, problems, env_id)


def _overlay_models(
    pid: str,
    over: PosDict,
    models: dict[str, dict[str, ParsedModel]],
    problems: list[Problem],
    env_id: str,
) -> None:
    model_over = over.get("models")
    if model_over is None:
        return
    if not isinstance(model_over, PosDict):
        where = over.val_pos["models"]
        problems.append(
            Problem(
                "schema",
                i18n.msg(
                    "providers.{provider}.models: must be a mapping of model id to fields",
                    provider=pid,
                ),
                where,
            )
        )
        return
    by_id = models.setdefault(pid, {})
    for mid, mover in model_over.items():
        if mid not in by_id:
            key_pos = model_over.key_pos[mid]  # positions only for a problem
            msg = i18n.msg(
                "environment '{env}' overlays model '{model}', which does not exist",
                env=env_id,
                model=f"{pid}/{mid}",
            )
            problems.append(Problem("unknown-reference", msg, key_pos))
            continue
        if not isinstance(mover, PosDict):
            problems.append(
                Problem(
                    "schema",
                    i18n.msg(
                        "providers.{provider}.models.{model}: must be a mapping",
                        provider=pid,
                        model=mid,
                    ),
                    model_over.key_pos[mid],
                )
            )
            continue
        base_model = by_id[mid]
        merged = merge(base_model.raw, mover)
        prefix = f"providers.{pid}.models.{mid}."
        body: ModelBody | None
        if base_model.raw.get("provider") is not None:  # a standalone Model document
            mdoc, probs = validate("ModelDoc", merged, prefix=prefix)
            body = _body(mdoc) if mdoc is not None else None
        else:
            body, probs = validate("ModelBody", merged, prefix=prefix)
        problems.extend(_from_overlay(probs, over))
        if body is not None:
            by_id[mid] = ParsedModel(pid, body, merged, base_model.file)
