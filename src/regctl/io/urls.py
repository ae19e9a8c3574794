"""The one URL parser: its result both decides (policy) and connects.

Credentials leak when two parsers disagree about a URL. ``urllib.parse`` reads
``http://127.0.0.1%3A9000%5C@localhost`` as host ``localhost`` with user info
``127.0.0.1%3A9000%5C``; a library that decodes the user info first, or treats ``\\``
as ``/`` as browsers do, connects to ``127.0.0.1:9000``. A policy that approved
``localhost`` has then sent the signed request to a host it never saw. So regctl
parses every URL it connects to once, here, strictly, and hands the resulting
:class:`Endpoint` both to the policy and to the connection (or rebuilds the URL a
third-party client gets from it: :attr:`Endpoint.origin` holds no user info).

Strict means: ASCII only, no control character, space or backslash anywhere, no
fragment, at most one ``@`` (and user info only where the caller allows it; it is
never used to connect), a host that is a DNS name, a canonical dotted-quad IPv4
address or a bracketed IPv6 address (``0x7f.1``, ``2130706433`` and ``127.1`` all
resolve to 127.0.0.1 with ``getaddrinfo`` and are refused), a decimal port, and
percent escapes only in the path and query, each a valid one. Anything else is a
:class:`BadUrl` whose message is one line and never repeats the URL (it may hold a
credential).

Standard library only.
"""

from __future__ import annotations

import urllib.parse

__all__ = [
    "BadUrl",
    "Endpoint",
    "StoreUri",
    "is_loopback",
    "parse",
    "parse_store",
    "quote_path",
    "redact",
    "userinfo",
]

#: Longer URLs are refused (browsers and servers cap request lines at 8 KiB or so).
MAX_URL = 8192
DEFAULT_PORTS = {"http": 80, "https": 443}

# Character sets (no regular expressions: this module is on every network load's import
# path, and compiling patterns costs more than checking a few hundred characters).
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_SCHEME_CHARS = _ALNUM | frozenset("+.-")
_HEX = frozenset("0123456789abcdefABCDEF")
# RFC 3986: unreserved and sub-delims, plus what a path, a query or user info may hold.
_USERINFO_CHARS = _ALNUM | frozenset("-._~!$&'()*+,;=:")
_PATH_CHARS = _USERINFO_CHARS | frozenset("@/?")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _escaped(text: str, allowed: frozenset[str]) -> bool:
    """Every character of ``text`` is in ``allowed`` or part of a well-formed ``%XX``."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "%":
            if i + 2 >= n:
                return False
            if text[i + 1] not in _HEX or text[i + 2] not in _HEX:
                return False
            i += 3
        elif ch in allowed:
            i += 1
        else:
            return False
    return True


def _label_ok(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(ch in _LABEL_CHARS for ch in label)
    )


def _numeric_label(label: str) -> bool:
    """What browsers and getaddrinfo read as a number: decimal, or ``0x`` hex."""
    if label.startswith("0x"):
        return all(ch in _HEX for ch in label[2:])
    return label.isdigit()


def _canonical_ipv4(name: str) -> bool:
    parts = name.split(".")
    return len(parts) == 4 and all(
        p.isdigit()
        and p.isascii()
        and len(p) <= 3
        and (p == "0" or not p.startswith("0"))
        and int(p) <= 255
        for p in parts
    )


class BadUrl(ValueError):
    """A URL regctl will not connect to; ``str()`` is one line without the URL itself."""


class Endpoint:
    """A parsed URL: where to connect (``scheme``, ``host``, ``port``) and what to ask.

    ``host`` is lower-case, an IPv6 address without brackets. ``port`` is the one
    connected to (the scheme's default when the URL names none). ``path`` (``/`` when
    the URL has none) and ``query`` make the request target. Immutable; equal when
    every part is. (A plain class: a named tuple or dataclass costs a millisecond or
    more to import, on every network load's path.)
    """

    __slots__ = ("has_userinfo", "host", "path", "port", "query", "scheme")

    scheme: str
    host: str
    port: int
    path: str
    query: str
    has_userinfo: bool

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int,
        path: str,
        query: str,
        has_userinfo: bool = False,
    ) -> None:
        for name, value in zip(self.__slots__, (has_userinfo, host, path, port, query, scheme)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("an Endpoint cannot be changed")

    def _key(self) -> tuple[str, str, int, str, str, bool]:
        return (self.scheme, self.host, self.port, self.path, self.query, self.has_userinfo)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Endpoint) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Endpoint({self.shown!r})"

    @property
    def host_for_url(self) -> str:
        """The host as written in a URL (IPv6 in brackets)."""
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def netloc(self) -> str:
        """``host[:port]`` with the port only when it is not the scheme's default."""
        if DEFAULT_PORTS.get(self.scheme) == self.port or not self.port:
            return self.host_for_url
        return f"{self.host_for_url}:{self.port}"

    @property
    def origin(self) -> str:
        """``scheme://host[:port]``: no user info, no path (what a third-party client gets)."""
        return f"{self.scheme}://{self.netloc}"

    @property
    def target(self) -> str:
        """The request target: path and query."""
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def url(self) -> str:
        """The whole URL rebuilt from the parts (never with user info)."""
        return self.origin + self.target

    @property
    def shown(self) -> str:
        """Safe to print: origin and path; a query (it may hold a token) shows as ``?…``."""
        return self.origin + self.path + ("?…" if self.query else "")

    def same_origin(self, other: Endpoint) -> bool:
        """Whether ``other`` connects to the same scheme, host and port."""
        return (self.scheme, self.host, self.port) == (other.scheme, other.host, other.port)

    def with_target(self, target: str) -> Endpoint:
        """This origin with another path and query (checked like a parsed one)."""
        path, _, query = target.partition("?")
        if not path.startswith("/") or not _escaped(target, _PATH_CHARS):
            raise BadUrl("the request path has characters that are not allowed in a URL")
        return Endpoint(self.scheme, self.host, self.port, path, query)


def parse(
    url: str,
    *,
    schemes: tuple[str, ...] | None = ("http", "https"),
    allow_userinfo: bool = False,
) -> Endpoint:
    """Parse ``url`` strictly (see the module documentation); raises :class:`BadUrl`.

    ``schemes=None`` accepts any scheme (the port is then 0 unless the URL names one).
    """
    if not isinstance(url, str):
        raise BadUrl("the URL is not text")
    if len(url) > MAX_URL:
        raise BadUrl(f"the URL is longer than {MAX_URL} characters")
    for ch in url:
        if not (" " < ch < "\x7f") or ch == "\\":
            raise BadUrl(_bad_char(ch))
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme[:1].isalpha() or not all(ch in _SCHEME_CHARS for ch in scheme):
        raise BadUrl("not an absolute URL (scheme://host/...)")
    scheme = scheme.lower()
    if schemes is not None and scheme not in schemes:
        raise BadUrl(f"the scheme {scheme}:// is not one of {', '.join(schemes)}")
    if "#" in rest:
        raise BadUrl("a fragment (#...) is not allowed in the URL")
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    has_userinfo = "@" in authority
    if has_userinfo:
        if not allow_userinfo:
            raise BadUrl("user info (user:password@) is not allowed in the URL")
        userinfo, _, authority = authority.partition("@")
        if "@" in authority or not _escaped(userinfo, _USERINFO_CHARS):
            raise BadUrl("the URL's user info is ambiguous (more than one @ or a bad escape)")
    host, port = _split_host_port(authority)
    if port is None:
        port = DEFAULT_PORTS.get(scheme, 0)
    path, _, query = tail.partition("?")
    if tail and not _escaped(tail, _PATH_CHARS):
        raise BadUrl("the URL's path or query has a bad percent escape")
    return Endpoint(scheme, host, port, path or "/", query, has_userinfo)


def userinfo(url: str) -> tuple[str | None, str | None]:
    """The decoded user name and password of a URL :func:`parse` accepted with
    ``allow_userinfo=True``: ``(None, None)`` without user info, a password of ``None``
    without a colon. Credentials only: the connection goes to the :class:`Endpoint`'s
    host and port, never to anything read from here.
    """
    rest = url.partition("://")[2]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    info, at, _ = rest[:cut].partition("@")
    if not at:
        return None, None
    user, colon, password = info.partition(":")
    return (
        urllib.parse.unquote(user) if user else None,
        urllib.parse.unquote(password) if colon else None,
    )


def _bad_char(ch: str) -> str:
    if ch == "\\":
        return "a backslash is not allowed in a URL (parsers disagree on what it means)"
    if ch == " ":
        return "a space is not allowed in a URL (write %20)"
    if ord(ch) > 0x7E:
        return "the URL has a non-ASCII character (write the host in punycode, xn--...)"
    return f"the URL has a control character (U+{ord(ch):04X})"


def _split_host_port(authority: str) -> tuple[str, int | None]:
    if not authority:
        raise BadUrl("the URL has no host")
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise BadUrl("the URL's IPv6 address has no closing ]")
        host, after = authority[1:end], authority[end + 1 :]
        if "%" in host:
            raise BadUrl("the URL's IPv6 address has a zone (%...): not allowed")
        import ipaddress  # only for IPv6 hosts: a rare case off the import path

        try:
            host = str(ipaddress.IPv6Address(host))
        except ValueError:
            raise BadUrl("the URL's host is not a valid IPv6 address") from None
        if after and not after.startswith(":"):
            raise BadUrl("the URL has characters after its IPv6 address")
        return host, _port(after[1:]) if after else None
    host, colon, port_text = authority.partition(":")
    return _host(host.lower()), _port(port_text) if colon else None


def _port(text: str) -> int:
    if not text.isdigit() or not text.isascii() or len(text) > 5:
        raise BadUrl("the URL's port is not a number from 1 to 65535")
    port = int(text)
    if not 0 < port < 65536:
        raise BadUrl("the URL's port is not a number from 1 to 65535")
    return port


def _host(host: str) -> str:
    if "%" in host:
        raise BadUrl("the URL's host has a percent escape (write it plainly)")
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_label_ok(label) for label in labels):
        raise BadUrl("the URL's host is not a DNS name or IP address")
    # Browsers and getaddrinfo read a host whose last label is a number as IPv4, in
    # octal, hex, or with parts left out (127.1): only the canonical form is accepted.
    if _numeric_label(labels[-1]) and not _canonical_ipv4(name):
        raise BadUrl("the URL's host is not a canonical IPv4 address (write four decimal numbers)")
    return host


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback IP address (also an IPv4-mapped one, ``::ffff:127.0.0.1``)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    import ipaddress

    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


class StoreUri:
    """``scheme://AUTHORITY/PATH?name=value&...``: a bucket or store, a key, options."""

    __slots__ = ("authority", "options", "path", "scheme")

    def __init__(self, scheme: str, authority: str, path: str, options: dict[str, str]) -> None:
        self.scheme, self.authority, self.path, self.options = scheme, authority, path, options


def parse_store(uri: str, schemes: tuple[str, ...]) -> StoreUri:
    """Split an ``s3://BUCKET/KEY?endpoint=...`` or ``etcd://HOST:PORT/KEY`` URI.

    Only the split is done here (a bucket is not a host); an endpoint or host in it
    is parsed with :func:`parse` by the caller before anything connects. Control
    characters, spaces, backslashes and a fragment are refused as in :func:`parse`;
    the last value of a repeated option wins.
    """
    if not isinstance(uri, str) or len(uri) > MAX_URL:
        raise BadUrl("the URI is not text of at most 8192 characters")
    for ch in uri:
        if not (" " < ch < "\x7f") or ch == "\\":
            raise BadUrl(_bad_char(ch))
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme.lower() not in schemes:
        raise BadUrl(f"the URI does not start with {' or '.join(s + '://' for s in schemes)}")
    if "#" in rest:
        raise BadUrl("a fragment (#...) is not allowed in the URI")
    rest, _, query = rest.partition("?")
    authority, _, path = rest.partition("/")
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise BadUrl("the URI's options cannot be parsed") from None
    return StoreUri(scheme.lower(), authority, path, dict(pairs))


def quote_path(path: str) -> str:
    """``path`` percent-encoded for a request target (``/`` and ``~`` kept)."""
    return urllib.parse.quote(path, safe="/~")


def redact(url: str) -> str:
    """``url`` safe to print: no user info, the query as ``?…``; unparsable -> a placeholder."""
    try:
        return parse(url, allow_userinfo=True, schemes=None).shown
    except BadUrl:
        return "<unparsable URL>"
