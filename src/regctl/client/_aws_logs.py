"""Keep AWS credentials out of botocore's DEBUG log.

regctl signs ``aws-sm:`` and ``s3://`` requests with botocore's SigV4 signer, whose
``botocore.auth`` logger writes the canonical request at DEBUG level, and the canonical
request holds the ``X-Amz-Security-Token`` header: an app that turns DEBUG logging on
(``logging.basicConfig(level=logging.DEBUG)`` is common while chasing a bug) would write
its temporary credentials to its log. A filter on that logger replaces every credential
regctl signed with by ``****`` before any handler sees the record; records without one
are untouched (the filter only rewrites text it finds a credential in).

Standard library only: the filter is installed by name, whether or not botocore is
loaded yet.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

#: The loggers of botocore that may write a credential regctl signed with.
LOGGERS = ("botocore.auth",)
#: Credentials remembered at most (the newest are kept: credentials that rotate).
MAX_HIDDEN = 64

_hidden: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()
_installed = False


class _MaskCredentials(logging.Filter):
    """Rewrite a record whose text holds a remembered credential; never drop one."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _lock:
            secrets = tuple(_hidden)
        if not secrets:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        masked = text
        for secret in secrets:
            if secret in masked:
                masked = masked.replace(secret, "****")
        if masked != text:
            record.msg, record.args = masked, None
        return True


_FILTER = _MaskCredentials()


def hide(*secrets: str | None) -> None:
    """Mask ``secrets`` (an AWS secret key, a session token) in botocore's log from now on."""
    global _installed
    with _lock:
        for secret in secrets:
            if secret and len(secret) >= 8:
                _hidden[secret] = None
                _hidden.move_to_end(secret)
        while len(_hidden) > MAX_HIDDEN:
            _hidden.popitem(last=False)
        if _installed:
            return
        _installed = True
    for name in LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
