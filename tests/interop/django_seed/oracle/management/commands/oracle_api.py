"""``manage.py oracle_api``: ask the seed's API (oracle/views.py) every route a frontend
uses, through Django's test client; print each request with status and JSON body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.core.management.base import BaseCommand
from django.test import Client

from oracle import views


class Command(BaseCommand):
    help = "Print the seed API's answers (JSON)."

    def handle(self, *args: Any, **kw: Any) -> None:
        client = Client()
        m = views.m
        caps = sorted(
            {
                c
                for r in m.AIModel.objects.all()
                for c in ([r.capability] if views.SLUG else r.capabilities)
            }
        )
        idents = [views._ident(p) for p in m.AIProvider.objects.order_by("pk")]
        asks: list[tuple[str, dict[str, str]]] = [("/api/providers/", {})]
        for ident in idents:
            for cap in caps:
                asks.append((f"/api/providers/{ident}/models/", {"capability": cap}))
                asks.append((f"/api/providers/{ident}/active-model/", {"capability": cap}))
                asks.append(("/api/select/", {"provider": ident, "capability": cap}))
        for cap in caps:
            asks.append(("/api/select/", {"capability": cap}))
        for t in m.PromptTemplate.objects.order_by("pk"):
            asks.append(("/api/select/", {"template": t.slug}))
        out = []
        for route, params in asks:
            url = route + ("?" + urlencode(params) if params else "")
            res = client.get(url)
            out.append(
                {"route": route, "params": params, "status": res.status_code, "body": res.json()}
            )
        self.stdout.write(json.dumps(out, indent=1, sort_keys=True))
