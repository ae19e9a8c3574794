"""Cut the trimmed models.dev snapshot under tests/data/modelsdev/ from a full checkout.

    python scripts/vendor_modelsdev.py [CORPUS]   # default: $REGCTL_MODELSDEV_CORPUS,
                                                  # then ../shared/corpus/models.dev

Keeps twelve providers, for each a few model files in name order plus its
symlinks (as git writes them without symlink support: a one-line file naming the
target; broken ones too), every file a kept link points to, and every lab file
(``models/<lab>/<model>.toml``) a kept model inherits from with ``base_model``. The
output is deterministic; the data keeps its MIT license (LICENSE, SOURCE.md).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "modelsdev"
PROVIDERS = (
    "amazon-bedrock", "anthropic", "azure", "azure-cognitive-services",
    "cloudflare-workers-ai", "databricks", "deepseek", "github-copilot", "openai",
    "snowflake-cortex", "xai", "zhipuai",
)  # fmt: skip
PLAIN, LINKS = 5, 3


def corpus_path() -> Path:
    given = os.environ.get("REGCTL_MODELSDEV_CORPUS")
    return Path(given) if given else ROOT.parent / "shared" / "corpus" / "models.dev"


def _link_target(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8").strip()
    return text if "\n" not in text and text.endswith(".toml") and "=" not in text else None


def select(corpus: Path) -> set[Path]:
    keep: set[Path] = {Path("LICENSE")}
    for pid in PROVIDERS:
        base = corpus / "providers" / pid
        keep.add(Path("providers", pid, "provider.toml"))
        files = sorted(p for p in (base / "models").rglob("*.toml"))
        plain = [p for p in files if _link_target(p) is None][:PLAIN]
        links = [p for p in files if _link_target(p) is not None]
        broken = [p for p in links if not (p.parent / str(_link_target(p))).resolve().is_file()]
        good = [p for p in links if p not in broken]
        for p in plain + good[:LINKS] + broken[:1]:
            keep.add(p.relative_to(corpus))
            target = _link_target(p)
            if target and p not in broken:
                resolved = (p.parent / target).resolve().relative_to(corpus.resolve())
                if resolved.parts[1] in PROVIDERS:
                    keep.add(resolved)
    for rel in list(keep):
        text = (corpus / rel).read_text(encoding="utf-8")
        for lab in re.findall(r'^base_model\s*=\s*"([^"]+)"', text, re.M):
            keep.add(Path("models", f"{lab}.toml"))
    return {rel for rel in keep if (corpus / rel).is_file()}


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else corpus_path()
    if not (corpus / "providers").is_dir():
        print(f"error: {corpus}: not a models.dev checkout", file=sys.stderr)
        return 2
    if OUT.exists():
        shutil.rmtree(OUT)
    chosen = sorted(select(corpus))
    for rel in chosen:
        (OUT / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / rel, OUT / rel)
    readme = (corpus / "README.md").read_text(encoding="utf-8")
    commit = re.search(r"commit ([0-9a-f]{40})", readme)
    (OUT / "SOURCE.md").write_text(
        "# Trimmed models.dev snapshot (test data)\n\n"
        "From the public models.dev project (github.com/anomalyco/models.dev, commit "
        f"{commit.group(1) if commit else 'unknown'}), MIT licensed: see LICENSE.\n"
        f"{len(PROVIDERS)} providers, a few models each, their symlinks (as git writes them\n"
        "without symlink support, broken ones included) and the lab files they inherit.\n"
        "Regenerate with `python scripts/vendor_modelsdev.py`.\n",
        encoding="utf-8",
    )
    print(f"wrote {len(chosen)} files to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
