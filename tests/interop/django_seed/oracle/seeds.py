"""Finding the rows of oracle/seeddata.py in either seed's tables."""

from __future__ import annotations

import importlib
from typing import Any

from oracle import seeddata as d


def app_models(app: str) -> Any:
    return importlib.import_module(f"{app}.models")


def _table(app: str, name: str) -> list[Any]:
    n = app[-3:]
    return list(getattr(d, f"{name}_{n}")) + list(getattr(d, f"EDGE_{name}_{n}"))


def provider_by_key(app: str, key: str) -> Any:
    fields = dict(_table(app, "PROVIDERS"))[key]
    ident = {"slug": fields["slug"]} if app == "seed003" else {"name": fields["name"]}
    return app_models(app).AIProvider.objects.get(**ident)


def model_by_key(app: str, key: str) -> Any:
    for k, provider, fields in _table(app, "MODELS"):
        if k == key:
            if app == "seed003":
                ident = {"model_id": fields["model_id"], "capability": fields["capability"]}
            else:
                ident = {"name": fields["name"]}
            return app_models(app).AIModel.objects.get(
                provider=provider_by_key(app, provider), **ident
            )
    raise KeyError(key)
