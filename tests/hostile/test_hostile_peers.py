"""Every network surface against every hostile server behaviour (see README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import require_module
from tests.hostile.invariants import check, run
from tests.hostile.peers import BEHAVIOURS, FLOODS, HostilePeer
from tests.hostile.surfaces import SURFACES, T, family

CASES = [pytest.param(s.name, b, id=f"{s.name}-{b}") for s in family("peer") for b in BEHAVIOURS]


@pytest.mark.parametrize(("surface", "hostile_peer"), CASES, indirect=["hostile_peer"])
def test_surface_survives_hostile_peer(
    surface: str, hostile_peer: HostilePeer, credentials: dict[str, str], tmp_path: Path
) -> None:
    s = SURFACES[surface]
    if ".s3" in surface:
        require_module("botocore")
    flood = hostile_peer.behaviour in FLOODS
    outcome = run(lambda: s.drive(hostile_peer, tmp_path), trace_memory=flood)
    check(outcome, budget=T + s.slack, tolerated=s.tolerates.get(hostile_peer.behaviour))
    for request in hostile_peer.elsewhere_seen:
        # A redirect to another host may be followed, never with a credential.
        for secret in credentials.values():
            assert secret.encode() not in request, f"{surface} sent a credential elsewhere"
        assert b"authorization:" not in request.lower()
