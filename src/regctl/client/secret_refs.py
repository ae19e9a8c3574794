"""The syntax of the built-in secret-store references, written once.

``vault:MOUNT/PATH#FIELD[@VERSION]`` (Vault / OpenBao KV version 2) and
``aws-sm:SECRET_ID[#FIELD]`` (AWS Secrets Manager; ``SECRET_ID`` is a name or an ARN).
The runtime client parses a reference with these functions before it asks the
store, and the ``secret-scheme`` rule of ``regctl validate`` reports what they
refuse, so a reference that validates is one the client can read.

A reason is a :class:`regctl.base.i18n.Msg`: English as a string, translated where
``validate`` shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regctl.base.i18n import Msg, msg

__all__ = [
    "AWS_SM_FORM",
    "BUILTIN_STORES",
    "VAULT_FORM",
    "AwsSmRef",
    "BadReference",
    "VaultRef",
    "parse_aws_sm",
    "parse_vault",
    "problem",
]

VAULT_FORM = "vault:MOUNT/PATH#FIELD[@VERSION]"
AWS_SM_FORM = "aws-sm:SECRET_ID[#FIELD]"
#: Scheme -> the form a malformed reference is told to follow.
BUILTIN_STORES = {"vault": VAULT_FORM, "aws-sm": AWS_SM_FORM}

# Control characters, and the bidi controls that make a reference read as another one.
_INVISIBLE = re.compile("[\x00-\x20\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SEGMENT_BAD = re.compile(r"[?#%\\]")
_VERSION = re.compile(r"[1-9][0-9]{0,9}")
# Secrets Manager names: letters, digits and /_+=.@- (up to 512).
_SM_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")
_SM_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):secretsmanager:([^:]*):([0-9]{12}):secret:(.+)")
# A region names the host credentials go to: never anything but a region's shape.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")


class BadReference(ValueError):
    """The reference does not parse; ``reason`` says why (``str()`` is the English text)."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class VaultRef:
    """``vault:MOUNT/PATH#FIELD[@VERSION]``: read ``GET /v1/MOUNT/data/PATH[?version=N]``."""

    mount: str
    path: str
    field: str
    version: int | None = None


@dataclass(frozen=True)
class AwsSmRef:
    """``aws-sm:SECRET_ID[#FIELD]``; ``region``/``partition`` come from an ARN, else ``None``."""

    secret_id: str
    field: str | None = None
    region: str | None = None
    partition: str | None = None


def _visible(rest: str) -> None:
    if _INVISIBLE.search(rest):
        raise BadReference(msg("it holds a space, control or bidi character"))


def parse_vault(rest: str) -> VaultRef:
    """Parse what follows ``vault:``; raises :class:`BadReference`."""
    _visible(rest)
    location, hashed, fragment = rest.partition("#")
    if not hashed or not fragment:
        raise BadReference(msg("no #FIELD: name the field of the secret to use"))
    segments = location.split("/")
    if len(segments) < 2:
        raise BadReference(msg("no path after the mount"))
    for segment in segments:
        if segment in ("", ".", ".."):
            raise BadReference(msg("empty, '.' or '..' path segment"))
        bad = _SEGMENT_BAD.search(segment)
        if bad:
            raise BadReference(msg("character '{char}' in the path", char=bad.group()))
    field, at, version = fragment.rpartition("@")
    if not at:
        field, version = fragment, ""
    elif not _VERSION.fullmatch(version):
        raise BadReference(msg("the version after '@' must be a positive whole number"))
    if not field or "#" in field:
        raise BadReference(msg("empty field name, or a second '#'"))
    return VaultRef(segments[0], "/".join(segments[1:]), field, int(version) if version else None)


def parse_aws_sm(rest: str) -> AwsSmRef:
    """Parse what follows ``aws-sm:``; raises :class:`BadReference`."""
    _visible(rest)
    secret_id, hashed, field = rest.rpartition("#") if "#" in rest else (rest, "", "")
    if hashed and not field:
        raise BadReference(msg("empty field name after '#'"))
    if not secret_id:
        raise BadReference(msg("no secret name or ARN"))
    if secret_id.startswith("arn:"):
        arn = _SM_ARN.fullmatch(secret_id)
        if arn is None:
            raise BadReference(
                msg("not a Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)")
            )
        partition, region, _, name = arn.groups()
        if not _REGION.fullmatch(region):
            raise BadReference(msg("'{region}' is not an AWS region", region=region))
        if not _SM_NAME.fullmatch(name):
            raise BadReference(msg("the secret name holds a character AWS does not allow"))
        return AwsSmRef(secret_id, field or None, region, partition)
    if not _SM_NAME.fullmatch(secret_id):
        raise BadReference(msg("a secret name is 1 to 512 letters, digits and /_+=.@- characters"))
    return AwsSmRef(secret_id, field or None)


def problem(scheme: str, rest: str) -> Msg | None:
    """Why ``scheme:rest`` is malformed, or ``None`` (also for schemes not listed here)."""
    parse = {"vault": parse_vault, "aws-sm": parse_aws_sm}.get(scheme)
    if parse is None:
        return None
    try:
        parse(rest)
    except BadReference as exc:
        return exc.reason
    return None


def is_region(text: str) -> bool:
    """``text`` has the shape of an AWS region (``us-east-1``, ``ap-southeast-2``)."""
    return _REGION.fullmatch(text) is not None
