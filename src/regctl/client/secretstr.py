""":class:`SecretStr`, the key value handed out by the client (also ``regctl.client.SecretStr``).

Its own module so that the secret resolvers (:mod:`regctl.client.secrets`) and the
value objects that call them (:mod:`regctl.client.types`) both depend on it and not on
each other.
"""

from __future__ import annotations

from typing import NoReturn

from regctl.client._frozen import _Frozen

_MASK = "**********"


class SecretStr(_Frozen):
    """A key value that never shows itself in ``repr``, ``str``, f-strings or logs.

    Call :meth:`get_secret_value` at the one place that needs the plaintext.
    ``source`` says where it came from (``"personal"`` or the secret reference).
    """

    __slots__ = ("_value", "source")

    _value: str
    source: str

    def __init__(self, value: str, source: str = "personal") -> None:
        if not isinstance(value, str):
            raise TypeError("SecretStr wraps a str")
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "source", source)

    def get_secret_value(self) -> str:
        """The plaintext key."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{_MASK}', source={self.source!r})"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, spec: str) -> str:
        return _MASK

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretStr):
            return NotImplemented
        import hmac  # only when comparing; constant time keeps the value out of timings

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretStr cannot be pickled (it would write the key out)")
