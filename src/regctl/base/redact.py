"""Secret-looking text: one set of patterns for finding it and for hiding it. Stdlib only.

The ``plaintext-secret`` rule reports these in the registry; :func:`redact` hides
them in anything regctl prints or writes about untrusted data (plan output,
targets, import reports, error lines), so a key pasted by mistake is not spread
further by the tool that caught it.
"""

from __future__ import annotations

import re

from regctl.base.i18n import msg

MASK = "***"

KEY_PREFIX = re.compile(
    r"(?<![A-Za-z0-9])(sk-ant-|sk-proj-|sk-|xai-|AIza|gsk_|hf_|ghp_|gho_|github_pat_|glpat-"
    r"|xoxb-|xoxp-|xoxa-|xoxr-|AKIA|ASIA)[A-Za-z0-9_\-]{16,}"
)
# AWS secret access keys: 40 characters of base64 with at least one '/' or '+'
# (the documented example key too); a plain 40-letter run is caught by entropy.
AWS_SECRET = re.compile(
    r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{0,39}[/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)
# Azure keys are 32 hex digits; many API keys are 64. A digest names its algorithm
# ("sha256:<hex>") and is not a key.
HEX_KEY = re.compile(r"(?<![A-Za-z0-9:_\-])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{32})(?![A-Za-z0-9_\-])")
# Credentials inside URLs: user:password@host, and secret-named query parameters.
URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^/\s:@]*):([^/\s@]+)@")
URL_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:api[_-]?key|apikey|access[_-]?token|token|key|secret|client[_-]?secret"
    r"|password|passwd|pwd|sig|signature|auth)=)([^&#\s]+)"
)


def _mixed(token: str) -> bool:
    # Keys mix cases and digits; a 40-character path such as "a/b/c" rarely does.
    return (
        any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and any(c.isdigit() for c in token)
    )


def url_credential(text: str) -> str | None:
    """Why ``text`` holds a credential inside a URL, or ``None``."""
    m = URL_USERINFO.search(text)
    if m and m.group(3):
        return msg("a password in the URL (user:password@)")
    m = URL_SECRET_PARAM.search(text)
    if m:
        name = m.group(1)[1:-1]
        return msg("a secret in the URL query ({name}=)", name=name)
    return None


def known_format(text: str) -> str | None:
    """Why ``text`` holds a key of a known format (prefix, AWS secret, hex key), or ``None``."""
    m = KEY_PREFIX.search(text)
    if m:
        return msg("'{prefix}…' prefix", prefix=m.group(1))
    if any(_mixed(m.group()) for m in AWS_SECRET.finditer(text)):
        return msg("an AWS secret access key")
    m = HEX_KEY.search(text)
    if m:
        return msg("a {n}-hex-digit key", n=len(m.group()))
    return None


def redact(text: str) -> str:
    """``text`` with URL passwords, secret query values and known key formats masked."""
    if not text:
        return text
    text = URL_USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:{MASK}@", text)
    text = URL_SECRET_PARAM.sub(lambda m: m.group(1) + MASK, text)
    text = KEY_PREFIX.sub(lambda m: m.group(1) + MASK, text)
    text = AWS_SECRET.sub(lambda m: MASK if _mixed(m.group()) else m.group(), text)
    return HEX_KEY.sub(MASK, text)


# Runs of key characters: a key is one unbroken run, words of a message are not.
_RUN = re.compile(r"[A-Za-z0-9_\-+/=.]{20,}")


def redact_strict(text: str) -> str:
    """:func:`redact`, and every run of 20+ key characters that mixes upper case, lower
    case and digits masked as well.

    For text regctl did not write and cannot vet, such as a secret plugin's exception
    message: a store's error may quote the key it read in any format, and sops and
    Vault never repeat such text either. Ids and words rarely mix all three.
    """
    text = redact(text)
    return _RUN.sub(lambda m: MASK if _mixed(m.group()) else m.group(), text) if text else text
