"""target-location: file targets stay inside the repository and are never devices."""

from __future__ import annotations

from conftest import Check

REGISTRY = """apiVersion: regctl/v1
kind: Registry
name: case
defaults:
  chat: acme
targets:
{targets}
"""


def _targets(check: Check, **targets: str) -> list[tuple[str, int]]:
    body = "\n".join(f"  {env}: {uri}" for env, uri in targets.items())
    problems = check({"registry.yaml": REGISTRY.format(targets=body)}, rule="target-location")
    return [(p.message.split("'")[1], p.location.line) for p in problems]


def test_targets_inside_the_repository_pass(check: Check) -> None:
    assert (
        _targets(
            check,
            dev="file:deploy/dev.json",
            prod="deploy/prod.json",
            web="https://config.example.com/x.json",
        )
        == []
    )


def test_relative_escape_and_absolute_outside_are_reported(check: Check) -> None:
    got = _targets(
        check,
        a="file:../../x.json",
        b="file:/etc/cron.d/regctl",
        c="file:///tmp/elsewhere.json",
        ok="file:deploy/ok.json",
    )
    assert got == [("a", 7), ("b", 8), ("c", 9)]


def test_device_paths_are_reported(check: Check) -> None:
    got = _targets(check, disk="file:/dev/sda", nul="/dev/null", proc="file:/proc/self/mem")
    assert [env for env, _ in got] == ["disk", "nul", "proc"]


def test_message_names_where_it_points(check: Check) -> None:
    problems = check(
        {"registry.yaml": REGISTRY.format(targets="  a: file:../../x.json")},
        rule="target-location",
    )
    assert "outside the repository" in problems[0].message and "--target" in problems[0].message
