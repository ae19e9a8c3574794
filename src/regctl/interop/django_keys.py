"""Who may use a provider's shared key, and where personal keys go (docs/migrate-from-django.md).

The seed hands out a provider's shared key when the provider has ``shared_api_enabled``
and the user holds the ``use_shared_api_key`` permission (``user.has_perm``: granted to
one of the user's groups, or to the user directly by an admin, or the user is an active
superuser). regctl's equivalent is ``shared_key_groups`` on the provider: the Django
groups that hold the permission, and ``user:<username>`` for each active user who holds
it directly or is a superuser. The app passes the caller's groups and ``user:<username>``
as ``api_key(group=...)``.

``UserAPIKey`` rows become secret *references* (``env:<PROVIDER>_API_KEY_USER_<pk>``),
listed in the report; the values never leave the database.
"""

from __future__ import annotations

from typing import Any

from regctl.interop import common as c
from regctl.interop.django_providers import ProviderRow
from regctl.interop.report import FRAMEWORK_ROW, ImportReport

SHARED_PERMISSION = "use_shared_api_key"


def ref(value: Any) -> Any:
    """A foreign key as dumpdata writes it: a primary key, or a natural key ``[value]``;
    anything else (a hostile dump) is ``None``."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _perm_pks(rows: list[tuple[str, dict[str, Any]]], app: str) -> set[Any]:
    types = {
        r.get("pk"): (r["fields"].get("app_label"), r["fields"].get("model"))
        for _, r in rows
        if r.get("model") == "contenttypes.contenttype"
    }
    out = set()
    for _, r in rows:
        f = r["fields"]
        if r.get("model") == "auth.permission" and f.get("codename") == SHARED_PERMISSION:
            ct = f.get("content_type")
            owner = tuple(ct) if isinstance(ct, list) else types.get(ref(ct))
            if owner is None or owner == (app, "aiprovider"):
                out.add(r.get("pk"))
    return out


def _holds(refs: Any, pks: set[Any], app: str) -> bool:
    for item in _items(refs):
        if isinstance(item, list) and len(item) > 1:  # natural key: [codename, app, model]
            if item[:2] == [SHARED_PERMISSION, app]:
                return True
        elif ref(item) in pks:
            return True
    return False


def import_keys(
    auth: list[tuple[str, dict[str, Any]]],
    personal: list[tuple[str, dict[str, Any]]],
    providers: dict[Any, ProviderRow],
    app: str,
    report: ImportReport,
) -> None:
    """Set ``shared_key_groups`` on the sharing providers; report every auth and key row."""
    pks = _perm_pks(auth, app)
    groups: dict[Any, str] = {}
    allowed: list[str] = []
    users: dict[Any, str] = {}
    for where, r in auth:
        f, label = r["fields"], r.get("model")
        if label == "auth.group":
            name = str(f.get("name") or "")
            groups[r.get("pk")] = name
            if _holds(f.get("permissions"), pks, app):
                allowed.append(name)
                report.row(where, "mapped", f"shared_key_groups: {name}", SHARED_PERMISSION)
            else:
                report.row(where, "not-needed", "", f"holds no {SHARED_PERMISSION}")
        elif label == "auth.permission" and r.get("pk") in pks:
            report.row(where, "mapped", "shared_key_groups", "the shared-key permission")
        elif label != "auth.user":
            report.row(where, "not-needed", "", FRAMEWORK_ROW)
    direct: list[str] = []
    for where, r in auth:
        if r.get("model") != "auth.user":
            continue
        f = r["fields"]
        name = str(f.get("username") or r.get("pk"))
        users[r.get("pk")] = name
        if f.get("is_active") is False:
            report.row(where, "not-needed", "", "inactive user: the seed gives it no key")
        elif f.get("is_superuser") is True or _holds(f.get("user_permissions"), pks, app):
            direct.append(f"user:{name}")
            why = "superuser" if f.get("is_superuser") is True else SHARED_PERMISSION
            report.row(where, "mapped", f"shared_key_groups: user:{name}", why)
        else:
            # Group references: primary keys, or natural keys [name].
            mine = [groups.get(ref(g), ref(g)) for g in _items(f.get("groups"))]
            via = sorted(g for g in mine if g in allowed)
            report.row(
                where,
                "not-needed",
                "",
                f"uses the shared key through group {via[0]}"
                if via
                else "no permission to use the shared key",
            )
    listed = sorted(set(allowed)) + sorted(set(direct))
    if not auth:
        report.lose(
            "auth",
            "no-auth-rows",
            "no auth.* rows in the source: who may use a shared key is not known"
            " (dump the auth and contenttypes apps too)",
        )
    for p in providers.values():
        if p.shared and auth:
            p.body["shared_key_groups"] = listed
    report.extra["shared_key_groups"] = listed
    refs = []
    for where, r in personal:
        f = r["fields"]
        prov = providers.get(ref(f.get("provider")))
        user = ref(f.get("user"))
        name = users.get(user, str(user))
        if prov is None:
            report.row(where, "dropped", "", f"personal key of {name}: provider not imported")
            continue
        if f.get("is_active") is False or not f.get("api_key"):
            report.row(
                where, "not-needed", "", f"inactive personal key of {name}: the seed ignores it"
            )
            continue
        var = c.env_ref_name(f"{c.env_name_for(prov.id)}_USER_{user}") or "PERSONAL_API_KEY"
        reference = f"env:{var}"
        report.env_vars[var] = f"{prov.id}: personal key of user {name}"
        refs.append({"user": name, "provider": prov.id, "ref": reference})
        report.row(where, "mapped", reference, f"personal key of {name} for {prov.id}: a reference")
    report.extra["personal_keys"] = sorted(refs, key=lambda e: (e["user"], e["provider"]))
