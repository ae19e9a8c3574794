"""`regctl validate`, `regctl compile`, `regctl schema`."""

from __future__ import annotations
