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


def test_urls_the_io_parser_refuses_are_reported(check: Check) -> None:
    # Issue 20: forms two URL parsers read differently never pass validate.
    got = _targets(
        check,
        s3="'s3://b/m.json?endpoint=http://127.0.0.1%253A9000%255C@localhost'",
        s3raw="'s3://b/m.json?endpoint=http://127.0.0.1:9000%5C@localhost'",
        etcd="'etcd://127.0.0.1%3A2379%5C@localhost/regctl/m'",
        web="'https://attacker\\@allowed.example/m.json'",
        octal="'http://0x7f.1:8080/m.json'",
        ok_s3="'s3://b/m.json?endpoint=https://s3.eu-west-1.amazonaws.com'",
        ok_etcd="'etcds://etcd.internal:2379/regctl/prod'",
    )
    assert [env for env, _ in got] == ["s3", "s3raw", "etcd", "web", "octal"]


def test_refused_url_message_says_why(check: Check) -> None:
    problems = check(
        {"registry.yaml": REGISTRY.format(targets="  a: 'http://h#@127.0.0.1:9/m.json'")},
        rule="target-location",
    )
    assert "not a URL regctl connects to" in problems[0].message
    assert "fragment" in problems[0].message
