"""The console over HTTP, against a real ``regctl serve``: every page, its headers, what it
must never show, the language, and the same numbers as the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from tests.conftest import require_binary, run_cli
from tests.console.conftest import HOSTILE, Project
from tests.serve.serve_fixtures import SECRET, Server

PAGES = [
    "/ui/",
    "/ui/providers",
    "/ui/models",
    "/ui/models?capability=chat&active=yes&sort=input&dir=desc",
    "/ui/models/openai/gpt-4o",
    "/ui/changes",
    "/ui/spend",
    "/ui/spend?by=model",
    "/ui/propose",
    "/ui/propose?model=openai/gpt-4o-mini&capability=chat",
]


def text_of(html: str) -> str:
    """What a reader sees: the tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_its_policy(console: Server, path: str) -> None:
    r = console.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    # no inline script, style or event handler: the policy would block them anyway
    assert not re.search(r"<script(?![^>]*\bsrc=)", r.text)
    assert not re.search(r"<[^>]*\s(on[a-z]+|style)=", r.text)
    assert SECRET not in r.text
    assert '<html lang="en" dir="ltr">' in r.text


def test_page_weight_without_charts(console: Server) -> None:
    """Each page with its stylesheet and script stays under 100 KB."""
    assets = sum(
        len(console.get(u).content)
        for u in re.findall(r'(?:href|src)="(/ui/static/[^"]+)"', console.get("/ui/").text)
    )
    for path in PAGES:
        assert len(console.get(path).content) + assets <= 100_000, path


def test_providers_show_whether_a_key_resolves_never_its_value(console: Server) -> None:
    html = console.get("/ui/providers").text
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<tr>\s*<th scope="row">.*?<code dir="ltr" class="key">(\w+)</code>.*?</tr>',
            html,
            re.S,
        )
    }
    assert set(rows) == {"anthropic", "openai", "openrouter", "xai"}
    assert '✓ <code dir="ltr">env:OPENAI_API_KEY</code>' in rows["openai"]
    assert "✗" in rows["anthropic"] and "not set here" in rows["anthropic"]
    assert "https://api.openai.com/v1" in html or "openai" in rows["openai"]
    assert SECRET not in html


def test_hostile_description_is_text(console: Server) -> None:
    html = console.get("/ui/models/openai/gpt-4o").text
    assert "<script>document" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=" in html
    assert "\u202e" not in html and "\\u202e" in html  # the override shown, not obeyed
    assert HOSTILE.replace("\u202e", "\\u202e") in text_of(html)


def test_models_filter_search_sort_and_page(console: Server) -> None:
    html = console.get("/ui/models?q=4o-MINI").text  # every word, case-folded
    ids = re.findall(r'<code dir="ltr" class="key">([^<]+)</code>', html)
    assert ids and all("gpt-4o-mini" in i for i in ids)
    assert re.search(r'data-total="(\d+)"', html).group(1) == str(len(ids))  # type: ignore[union-attr]
    html = console.get("/ui/models?provider=anthropic&sort=input&dir=desc").text
    ids = re.findall(r'<code dir="ltr" class="key">([^<]+)</code>', html)
    assert ids[0] == "claude-3-opus-20240229" and ids[-1] == "claude-3-haiku-20240307"
    html = console.get("/ui/models?capability=chat&active=yes").text
    assert "★ chat" in html
    html = console.get("/ui/models?per=25&page=99999").text  # past the end: the last page
    assert 'data-total="' in html
    partial = console.get("/ui/models?q=mini&partial=1").text
    assert partial.startswith('<p class="count"') and "<html" not in partial


def test_model_page(console: Server) -> None:
    # the price history is read in the background on the first view: a reload shows it
    console.wait_for(
        lambda: "Reading the history" not in console.get("/ui/models/openai/gpt-4o").text
    )
    html = console.get("/ui/models/openai/gpt-4o").text
    shown = text_of(html)
    assert "★ chat" in shown and "★ vision" in shown
    assert "summarize" in shown  # the template that resolves to it
    assert "from openai import OpenAI" in shown and "litellm" in shown
    # its price over the applied history: 2.50 in the first apply, 2.00 in the second
    prices = shown[shown.index("Price over the applied history") :]
    assert "2.50" in prices and "2.00" in prices
    assert console.get("/ui/models/openai/nope").status_code == 404


def test_changes_list_and_diff_with_the_plan_renderer(console: Server, project: Project) -> None:
    html = console.get("/ui/changes").text
    digests = re.findall(r"sha256:[0-9a-f]{64}", html)
    assert len(set(digests)) >= 2
    history = sorted((project.manifest.parent / "manifest.lock.json.history").glob("*.json"))
    assert len(history) >= 2
    links = re.findall(r'href="(/ui/changes/diff\?[^"]+)"', html)
    assert links
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in history[:2])
    if old["digest"] != re.search(r"from=([^&]+)", unescape(links[0])).group(1):  # type: ignore[union-attr]
        old, new = new, old
    diff = text_of(console.get(unescape(links[0])).text)
    # the plan renderer's own lines for the same two manifests: gpt-4o's price change
    from regctl.deploy.plan import semantic_diff
    from regctl.deploy.render import field_line, headline

    changes = semantic_diff(old, new)
    assert changes
    for c in changes:
        assert headline(c) in diff
        for f in c.fields:
            assert field_line(f)[1] in diff


def test_spend_same_numbers_as_regctl_spend(console: Server, project: Project) -> None:
    cli = run_cli(
        "spend", str(project.usage), "--registry", str(project.registry),
        "--month", project.month, "--format", "json", "--by", "provider",
    )  # fmt: skip
    data = json.loads(cli.stdout)
    shown = text_of(console.get(f"/ui/spend?month={project.month}&by=provider").text)
    assert f"{float(data['total']):,.2f}" in shown

    def money(text: str) -> str:
        return f"{Decimal(text).quantize(Decimal('0.01')):,}"

    flat = re.sub(r"\s+", " ", shown)
    for group in data["groups"]:  # name, cost, calls: one row of the table
        assert f"{group['name']} {money(group['cost'])} {group['calls']} " in flat, group
    for budget in data["budgets"]:  # scope, spent, monthly ... forecast
        row = f"{budget['scope']} {money(budget['spent'])} {money(budget['monthly'])} "
        assert row in flat, budget
        assert money(budget["forecast"]) in flat
    # success rate and latency: the CLI's rows, as the CLI's text report writes them
    html = console.get(f"/ui/spend?month={project.month}").text
    rel = data["reliability"]
    for row in [*rel["providers"], *rel["models"]]:
        rate = f"{row['success_rate'] * 100:.1f}%"
        cells = [row["name"], str(row["calls"]), str(row["failed"]), rate,
                 f"{row['p50_ms']:,.0f} ms", f"{row['p95_ms']:,.0f} ms"]  # fmt: skip
        pattern = r"\s*</t[hd]>\s*<t[hd][^>]*>\s*".join(re.escape(c) for c in cells)
        assert re.search(pattern, html.replace("<bdi>", "").replace("</bdi>", "")), row
    everything = rel["overall"]
    assert everything["calls"] == 21 and everything["failed"] == 2
    assert f"{everything['success_rate'] * 100:.1f}%" in shown
    svg = console.get(f"/ui/spend/chart.svg?month={project.month}")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


def test_propose_gives_the_patch_regctl_activate_would_make(
    console: Server, project: Project, tmp_path: Path
) -> None:
    """The downloadable patch, applied with git to a copy of the registry, gives exactly
    what ``regctl activate`` writes; the server wrote nothing."""
    before = {p: p.read_bytes() for p in project.registry.rglob("*.yaml")}
    query = "model=openai/gpt-4o-mini&capability=chat"
    page = text_of(console.get(f"/ui/propose?{query}").text)
    assert "regctl activate openai/gpt-4o-mini --capability chat" in page
    patch = console.get(f"/ui/propose.patch?{query}")
    assert patch.status_code == 200 and "attachment" in patch.headers["content-disposition"]
    git = require_binary("git")
    copy = tmp_path / "by-patch"
    shutil.copytree(project.registry, copy / "registry")
    subprocess.run([git, "init", "-q", str(copy)], check=True)
    applied = subprocess.run(
        [git, "apply", "-"], cwd=copy, input=patch.content, capture_output=True, check=False
    )
    assert applied.returncode == 0, applied.stderr
    by_cli = tmp_path / "by-cli"
    shutil.copytree(project.registry, by_cli)
    done = run_cli("activate", "openai/gpt-4o-mini", "-c", "chat", "--registry", str(by_cli))
    assert done.returncode == 0, done.stderr
    for path in by_cli.rglob("*.yaml"):
        rel = path.relative_to(by_cli)
        assert (copy / "registry" / rel).read_bytes() == path.read_bytes(), rel
    assert {p: p.read_bytes() for p in project.registry.rglob("*.yaml")} == before


@pytest.mark.parametrize(
    ("how", "headers"),
    [
        ("?lang=fa", {}),
        ("", {"accept-language": "fa-IR,fa;q=0.9,en;q=0.5"}),
    ],
)
def test_persian_right_to_left(console: Server, how: str, headers: dict[str, str]) -> None:
    html = console.get(f"/ui/models{how}", headers=headers).text
    assert '<html lang="fa" dir="rtl">' in html
    assert "مدل‌ها" in html or "مدل" in html


def test_host_check_and_read_only(console: Server) -> None:
    """A page on another name (DNS rebinding) gets no console; nothing but GET/HEAD."""
    r = console.get("/ui/providers", headers={"host": "evil.example"})
    assert r.status_code == 421 and "OpenAI" not in r.text
    assert console.client.post("/ui/propose").status_code == 405
    assert console.client.head("/ui/models").status_code == 200
    # the API is untouched by the console
    assert console.get("/v1/models").status_code == 200
    assert console.get("/ui").status_code == 308


def test_no_ui(project: Project) -> None:
    srv = Server(str(project.manifest), project.root, args=("--no-ui",))
    try:
        assert srv.get("/ui/").status_code == 404
        assert srv.get("/v1/models").status_code == 200
    finally:
        srv.stop()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ui/models?page=99999999999999999999", 200),
        ("/ui/models?page=-1&per=7&sort=__class__&dir=sideways", 200),
        ("/ui/models?q=" + "a" * 100_00, 200),
        ("/ui/models?provider=%00%0a&capability=%E2%80%AE", 200),
        ("/ui/models?lang=xx-%00", 200),
        ("/ui/models/%2e%2e/%2e%2e/etc/passwd", 404),
        ("/ui/models/openai/gpt-4o%00", 404),
        ("/ui/changes/diff?from=sha256:zz&to=x", 400),
        ("/ui/changes/diff?from=sha256:" + "0" * 64, 404),
        ("/ui/spend?month=2026-13&by=__dict__", 400),
        ("/ui/spend?month=9999-01", 200),
        ("/ui/spend/burndown.svg?scope=nope", 404),
        ("/ui/propose?model=nope/nope&capability=chat", 200),
        ("/ui/propose?model=openai/gpt-4o&capability=%3Cscript%3E", 200),
        ("/ui/propose.patch?model=nope/nope&capability=chat", 400),
        ("/ui/static/..%2f..%2fpyproject.toml", 404),
        ("/ui/static/console.css%00", 404),
        ("/ui/models/openai/gpt-4o?capability=%3Cscript%3E", 200),
    ],
)
def test_hostile_query_is_a_page_not_a_crash(console: Server, path: str, status: int) -> None:
    """Whatever a link holds: a documented status with the console's page and policy,
    never a traceback, never the reflected text as markup."""
    r = console.get(path)
    assert r.status_code == status, r.text[:300]
    assert "Traceback" not in r.text and "<script>" not in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "\x00" not in r.text and "\u202e" not in r.text
