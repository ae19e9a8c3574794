"""Secret references use a known scheme and a well-formed name.

A credential is ``env:NAME`` (``NAME`` matching ``^[A-Za-z_][A-Za-z0-9_]*$``),
``file:PATH``, ``vault:MOUNT/PATH#FIELD[@VERSION]`` (HashiCorp Vault or OpenBao, KV
version 2), ``aws-sm:SECRET_ID[#FIELD]`` (AWS Secrets Manager; a name or an ARN), or
``SCHEME:REST`` for a scheme that the Registry document declares under
``secret_schemes`` (resolved at run time by a plugin in the ``regctl.secrets`` entry
point group). ``vault:`` and ``aws-sm:`` references are parsed by the runtime client's
own parser (``regctl.client.secret_refs``), so one that passes here is one the client
can read. A value that is not a reference at all is reported by ``plaintext-secret``
instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from regctl.base.i18n import msg
from regctl.messages.problems import Problem
from regctl.pipeline import vocab
from regctl.pipeline.positions import PosList
from regctl.pipeline.registry import View

ID = "secret-scheme"
PER_ENVIRONMENT = True

REF = re.compile(r"^([a-z][a-z0-9+.-]*):(.+)$")
ENV_NAME = re.compile(vocab.ENV_NAME)
#: The secret stores built into the client; their syntax is checked with its parser,
#: imported only when a registry uses one (importing ``regctl.client`` costs ``validate``
#: start-up). tests/rules/test_secret_scheme.py holds this list to the client's.
STORES = ("vault", "aws-sm")
BUILTIN = ("env", "file", *STORES)


def check(view: View) -> Iterator[Problem]:
    schemes = set(BUILTIN) | view.secret_schemes
    for pid, entry in view.providers.items():
        creds = entry.raw.get("credentials")
        if not isinstance(creds, PosList):
            continue
        for i, ref in enumerate(creds):
            match = REF.match(ref) if isinstance(ref, str) else None
            if match is None:
                continue  # not a reference: plaintext-secret reports it
            scheme, rest = match.groups()
            if scheme == "env" and not ENV_NAME.match(rest):
                yield Problem(
                    ID,
                    msg(
                        "provider '{provider}': malformed environment variable name in "
                        "'{scheme}:…' (letters, digits and _; not starting with a digit)",
                        provider=pid,
                        scheme=scheme,
                    ),
                    creds.item_pos[i],  # computed only for a hit
                )
            elif scheme in STORES:
                from regctl.client.secret_refs import BUILTIN_STORES, problem

                reason = problem(scheme, rest)
                if reason is not None:
                    yield Problem(
                        ID,
                        msg(
                            "provider '{provider}': malformed '{scheme}:' reference ({reason});"
                            " want {form}",
                            provider=pid,
                            scheme=scheme,
                            reason=reason,
                            form=BUILTIN_STORES[scheme],
                        ),
                        creds.item_pos[i],
                    )
            elif scheme not in schemes:
                yield Problem(
                    ID,
                    msg(
                        "provider '{provider}': secret scheme '{scheme}' is not declared; use "
                        "env:, file:, vault:, aws-sm: or add it to the Registry document's "
                        "secret_schemes",
                        provider=pid,
                        scheme=scheme,
                    ),
                    creds.item_pos[i],  # computed only for a hit
                )
