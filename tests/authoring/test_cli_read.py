"""init -> validate -> compile, and the read-only commands: ls, show, cost-compare, templates."""

from __future__ import annotations

import json
from pathlib import Path


def test_init_validate_compile(tmp_path: Path, run_cli) -> None:
    assert run_cli("init", str(tmp_path / "x"), cwd=tmp_path).returncode == 0
    v = run_cli("validate", str(tmp_path / "x"), cwd=tmp_path)
    assert v.returncode == 0, v.stdout + v.stderr
    assert "no problems" in v.stdout
    for env in ([], ["--env", "dev"], ["--env", "prod"]):
        c = run_cli("compile", str(tmp_path / "x" / "registry"), *env, cwd=tmp_path)
        assert c.returncode == 0, c.stderr
        manifest = json.loads(c.stdout)
        assert "summarize" in manifest["templates"]
        assert "OPENAI_API_KEY" in json.dumps(manifest["providers"]["openai"]["credentials"])
    assert run_cli("fmt", "--check", "registry", cwd=tmp_path / "x").returncode == 0
    t = run_cli("templates", "test", cwd=tmp_path / "x")
    assert t.returncode == 0, t.stdout + t.stderr
    assert "ok   summarize -> openai/gpt-4o" in t.stdout


def test_ls_models_filters_and_sorts(project: Path, run_cli) -> None:
    r = run_cli("ls", "models", "--capability", "chat", "--sort", "price", cwd=project)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["MODEL", "ACTIVE", "CAPABILITIES"]
    order = [line.split()[0] for line in lines[1:]]
    assert order[0] == "openai/gpt-4o-mini"  # 0.15 $/Mtok in
    assert order[-1] == "anthropic/claude-3-5-sonnet-20241022"  # 3 $/Mtok in
    assert "openai/text-embedding-3-small" not in order
    r = run_cli("ls", "models", "--active", "--capability", "chat", "--format", "json", cwd=project)
    refs = sorted(f"{m['provider']}/{m['id']}" for m in json.loads(r.stdout))
    assert refs == ["anthropic/claude-3-5-sonnet-20241022", "openai/gpt-4o", "xai/grok-2-1212"]
    r = run_cli("ls", "models", "--provider", "xai", "--sort", "context", cwd=project)
    assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == [
        "xai/grok-2-1212",
        "xai/grok-2-vision-1212",
    ]
    r = run_cli("ls", "models", "--active", "--capability", "chat", "--env", "dev", cwd=project)
    assert "openai/gpt-4o-mini" in r.stdout and "openai/gpt-4o " not in r.stdout


def test_show_lists_fields_with_their_source(project: Path, run_cli) -> None:
    r = run_cli("show", "openai/gpt-4o", cwd=project)
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split()[-1] for line in r.stdout.splitlines()[2:]}
    text = (project / "registry/providers/openai.yaml").read_text().splitlines()
    price_line = text.index("      input_per_mtok: 2.5") + 1
    assert rows["pricing.input_per_mtok"] == f"registry/providers/openai.yaml:{price_line}"
    assert rows["upstream_id"] == "(default)"
    assert rows["provider"] == "registry/providers/openai.yaml:5"  # the Provider's id line
    r = run_cli("show", "openai/gpt-4o", "--env", "dev", cwd=project)
    rows = {line.split()[0]: line.split()[-1] for line in r.stdout.splitlines()[2:]}
    assert rows["active"].startswith("registry/environments/dev.yaml:")
    r = run_cli("show", "openai", cwd=project)
    assert "credentials" in r.stdout and "active: chat -> openai/gpt-4o" in r.stdout
    bad = run_cli("show", "openai/gpt-5", cwd=project)
    assert bad.returncode == 1 and "no model 'openai/gpt-5'" in bad.stderr


def test_cost_compare_ranks_by_call_price(project: Path, run_cli) -> None:
    r = run_cli(
        "cost-compare",
        "--input-tokens",
        "100000",
        "--output-tokens",
        "10000",
        "--capability",
        "chat",
        cwd=project,
    )
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()[1:] if line.split()[0].isdigit()]
    assert rows[0][1:3] == ["openai/gpt-4o-mini", "0.021000"]  # 0.1 * 0.15 + 0.01 * 0.6
    prices = [float(row[2]) for row in rows]
    assert prices == sorted(prices)
    assert ["anthropic/claude-3-5-sonnet-20241022", "0.450000"] in [row[1:3] for row in rows]


def test_cost_compare_drops_models_whose_context_cannot_hold_the_input(
    project: Path, run_cli
) -> None:
    r = run_cli("cost-compare", "--input-tokens", "150000", "--output-tokens", "1000", cwd=project)
    assert r.returncode == 0, r.stderr
    ranked = [line.split()[1] for line in r.stdout.splitlines()[1:] if line[:1].isdigit()]
    assert ranked and all(ref.startswith("anthropic/") for ref in ranked)  # 200k windows
    last = r.stdout.splitlines()[-1]
    assert last.startswith("context window too small for 150000 input tokens: ")
    assert "openai/gpt-4o" in last and "xai/" in last
    none = run_cli("cost-compare", "--input-tokens", "5000000", "--output-tokens", "1", cwd=project)
    assert none.returncode == 1 and "context window < 5000000" in none.stderr


def test_templates_render(project: Path, run_cli) -> None:
    r = run_cli("templates", "render", "summarize", "--var", "text=Hello world", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "model: openai/gpt-4o",
        "--- system",
        "You write short, accurate summaries for a busy engineer.",
        "--- user",
        "Summarize the following text in at most three sentences:",
        "",
        "Hello world",
    ]
    r = run_cli(
        "templates",
        "render",
        "summarize",
        "--var",
        "text=x",
        "--var",
        "audience=kids",
        "--env",
        "dev",
        "--format",
        "json",
        cwd=project,
    )
    doc = json.loads(r.stdout)
    assert doc["model"] == "openai/gpt-4o-mini"
    assert doc["messages"][0]["content"] == "You write short, accurate summaries for kids."
    assert doc["params"] == {"temperature": 0.2, "max_tokens": 300}


def test_templates_render_folds_system_for_models_without_one(project: Path, run_cli) -> None:
    openai = project / "registry/providers/openai.yaml"
    openai.write_text(openai.read_text().replace("system_prompt: true", "system_prompt: false", 1))
    r = run_cli("templates", "render", "summarize", "--var", "text=Hello world", cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "model: openai/gpt-4o",
        "--- user",
        "You write short, accurate summaries for a busy engineer.",
        "",
        "Summarize the following text in at most three sentences:",
        "",
        "Hello world",
    ]


def test_templates_render_bad_input(project: Path, run_cli) -> None:
    r = run_cli("templates", "render", "summarize", cwd=project)
    assert r.returncode == 1 and "needs variable 'text'" in r.stderr
    r = run_cli("templates", "render", "summarise", cwd=project)
    assert r.returncode == 1 and "no template 'summarise'" in r.stderr
    r = run_cli("templates", "render", "summarize", "--var", "oops", cwd=project)
    assert r.returncode == 1 and "NAME=VALUE" in r.stderr
    assert "Traceback" not in r.stderr


def test_templates_test_reports_failures(project: Path, run_cli) -> None:
    prompt = project / "registry/prompts/summarize.yaml"
    # valid for the validator (syntax and variables are fine) but fails when rendered
    prompt.write_text(prompt.read_text().replace("{{ text }}", "{{ 1 / (text | length - 6) }}"))
    r = run_cli("templates", "test", cwd=project)
    assert r.returncode == 1
    assert "FAIL summarize:" in r.stdout and "1 template(s), 1 failed" in r.stdout
