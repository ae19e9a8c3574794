"""``manage.py oracle_answers --app seed000|seed003``: every query and the seed's answer, as
JSON on stdout, in the seed's own identifiers (provider name or slug, model name or
model_id, template slug, username)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from oracle.seeds import app_models

EXTRA_CAPABILITIES = ["audio"]  # asked although no model has it


class Command(BaseCommand):
    help = "Print every query with the seed's answer (JSON)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--app", required=True, choices=["seed000", "seed003"])

    def handle(self, *args: Any, app: str, **kw: Any) -> None:
        import importlib

        m = app_models(app)
        svc = importlib.import_module(f"{app}.service")
        slug = app == "seed003"

        def ident(p: Any) -> str:
            return str(p.slug if slug else p.name)

        def answer(row: Any) -> dict[str, str] | None:
            if row is None:
                return None
            return {"provider": ident(row.provider), "model": row.model_id if slug else row.name}

        def select(**kw: Any) -> dict[str, str] | None:
            try:
                return answer(svc.AIService(**kw).select_model())
            except svc.NoActiveModel:
                return None

        models = list(m.AIModel.objects.order_by("pk"))
        caps = sorted(
            {c for r in models for c in ([r.capability] if slug else r.capabilities)}
            | set(EXTRA_CAPABILITIES)
        )
        providers = list(m.AIProvider.objects.order_by("pk"))
        out: list[dict[str, Any]] = []
        for p in providers:
            for c in caps:
                q = {"provider": ident(p), "capability": c}
                got = m.AIModel.get_active_model(p, c)
                out.append({"kind": "active", **q, "answer": answer(got)})
                sel = select(provider_name=ident(p), capability=c)
                out.append({"kind": "service", **q, "answer": sel})
        for c in caps:
            out.append({"kind": "default", "capability": c, "answer": select(capability=c)})
        for t in m.PromptTemplate.objects.order_by("pk"):
            out.append({"kind": "template", "template": t.slug, "answer": select(template=t.slug)})
            if t.is_active:
                values = {v: f"<{v}>" for v in t.variables}
                system, user = t.render(**values)
                out.append(
                    {
                        "kind": "render",
                        "template": t.slug,
                        "values": values,
                        "answer": {"system": system, "user": user},
                    }
                )
        for r in models:
            for c in [r.capability] if slug else r.capabilities:
                name = r.model_id if slug else r.name
                q = {"provider": ident(r.provider), "model": name, "capability": c}
                got = select(provider_name=ident(r.provider), model_name=name, capability=c)
                out.append({"kind": "explicit", **q, "answer": got})
        for u in User.objects.order_by("pk"):
            groups = sorted(g.name for g in u.groups.all())
            for p in providers:
                key = svc.AIService(user=u).get_api_key(p)
                out.append(
                    {
                        "kind": "key",
                        "user": u.username,
                        "user_active": u.is_active,
                        "user_groups": groups,
                        "provider": ident(p),
                        "answer": None if key is None else {"source": key[1], "key": key[0]},
                    }
                )
        self.stdout.write(json.dumps({"app": app, "queries": out}, indent=1, sort_keys=True))
