"""Bounded gunzip: decompress without ever holding more than the limit.

``gzip.decompress`` inflates everything first: a 1 MB bomb becomes 1 GB in memory
before any size check. Standard library only (the client's file, URL and etcd
sources, and the etcd target, decompress manifests with it).
"""

from __future__ import annotations

import zlib

__all__ = ["TooLargeGzip", "gunzip_bounded"]


class TooLargeGzip(ValueError):
    """Compressed data that would decompress to more than the limit (a gzip bomb)."""


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress gzip ``data`` (one member or several) into at most ``limit`` bytes.

    Output is pulled at most ``limit + 1`` bytes at a time and the first byte over the
    limit ends it. Raises :class:`TooLargeGzip`, or ``zlib.error``/``EOFError`` for data
    that is not (complete) gzip.
    """
    out = bytearray()
    rest = data
    while rest:
        d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        out += d.decompress(rest, limit + 1 - len(out))
        if len(out) > limit or d.unconsumed_tail:
            raise TooLargeGzip(f"decompresses to more than {limit:,} bytes (the limit)")
        if not d.eof:
            raise EOFError("compressed data ended early")
        rest = d.unused_data  # a further gzip member (gzip allows several)
    return bytes(out)
