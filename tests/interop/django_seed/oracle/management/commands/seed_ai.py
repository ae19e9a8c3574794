"""``manage.py seed_ai --app seed000|seed003 [--edges]``: the seed command's data, and with
``--edges`` the admin edits made later (oracle/seeddata.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand
from django.db import transaction

from oracle import seeddata as d
from oracle.seeds import app_models, model_by_key, provider_by_key


class Command(BaseCommand):
    help = "Write a seed's data (and with --edges, the later admin edits)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--app", required=True, choices=["seed000", "seed003"])
        parser.add_argument("--edges", action="store_true")

    @transaction.atomic
    def handle(self, *args: Any, app: str, edges: bool, **kw: Any) -> None:
        m, n = app_models(app), app[-3:]
        perm = Permission.objects.get(codename="use_shared_api_key", content_type__app_label=app)
        pre = "EDGE_" if edges else ""
        if not edges:
            for name, holds in d.GROUPS:
                g = Group.objects.create(name=name)
                if holds:
                    g.permissions.add(perm)
        for username, superuser, active, groups, direct in d.EDGE_USERS if edges else d.USERS:
            u = User.objects.create_user(username, f"{username}@example.com", "pw")
            u.is_superuser = u.is_staff = superuser
            u.is_active = active
            u.save()
            u.groups.add(*[Group.objects.get(name=g) for g in groups])
            if direct:
                u.user_permissions.add(perm)
        for _, fields in getattr(d, f"{pre}PROVIDERS_{n}"):
            m.AIProvider.objects.create(**fields)
        legacy = getattr(d, f"EDGE_LEGACY_{n}") if edges else []
        for key, provider, fields in getattr(d, f"{pre}MODELS_{n}"):
            if key in legacy:  # active below, behind save()'s back
                fields = {**fields, "is_active": False}
            m.AIModel.objects.create(provider=provider_by_key(app, provider), **fields)
        for key in legacy:  # rows the legacy system wrote: several active per capability
            m.AIModel.objects.filter(pk=model_by_key(app, key).pk).update(is_active=True)
        for fields in getattr(d, f"{pre}TEMPLATES_{n}"):
            fields = dict(fields)
            if "ai_model" in fields:
                fields["ai_model"] = model_by_key(app, fields["ai_model"])
            m.PromptTemplate.objects.create(**fields)
        for username, provider, key, active in getattr(d, f"{pre}PERSONAL_{n}"):
            m.UserAPIKey.objects.create(
                user=User.objects.get(username=username),
                provider=provider_by_key(app, provider),
                api_key=key,
                is_active=active,
            )
        if edges:
            for key, field, value in getattr(d, f"EDGE_PROVIDER_EDITS_{n}"):
                p = provider_by_key(app, key)
                setattr(p, field, value)
                p.save()
            for key, field, value in getattr(d, f"EDGE_MODEL_EDITS_{n}"):
                row = model_by_key(app, key)
                setattr(row, field, value)
                row.save()
