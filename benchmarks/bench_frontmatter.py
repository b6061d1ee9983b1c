"""Does editing one front-matter key keep every other byte? A YAML round trip vs our line editor.

For every ADR front matter with a ``status`` in this repository (the project's and the examples'
ADRs, and MADR's own log when ../shared/adr-corpora is present), set ``status: accepted`` once
with a ruamel.yaml round trip (``preserve_quotes=True``) and once with
:func:`pytest_archgate.authoring.frontmatter.set_key`, and count the files in which any other line
changed. ruamel.yaml is not a dependency of archgate: ``pip install ruamel.yaml`` to run this.

    python benchmarks/bench_frontmatter.py
"""

from __future__ import annotations

import io
from pathlib import Path

from pytest_archgate.adr.markdown_format import split_front_matter
from pytest_archgate.authoring.frontmatter import set_key

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    try:
        from ruamel.yaml import YAML
    except ImportError:
        print("ruamel.yaml is not installed: pip install ruamel.yaml")
        return 0
    corpus = ROOT.parent / "shared" / "adr-corpora" / "madr"
    files = sorted([*ROOT.glob("adr/*.md"), *ROOT.glob("examples/*/adr/*.md")])
    files += sorted(corpus.glob("0*.md"))
    total = ruamel_changed = ours_changed = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        front, _, body, _ = split_front_matter(text)
        if front is None or "\nstatus:" not in f"\n{front}":
            continue
        total += 1
        others = [line for line in front.splitlines() if not line.startswith("status:")]
        yaml = YAML()
        yaml.preserve_quotes = True
        data = yaml.load(front)
        data["status"] = "accepted"
        buf = io.StringIO()
        yaml.dump(data, buf)
        if [ln for ln in buf.getvalue().splitlines() if not ln.startswith("status:")] != others:
            ruamel_changed += 1
            print(f"  ruamel.yaml changed other lines of {path.relative_to(ROOT.parent)}")
        new_front, _, new_body, _ = split_front_matter(set_key(text, ("status",), "accepted"))
        assert new_front is not None
        kept = [line for line in new_front.splitlines() if not line.startswith("status:")]
        if kept != others or new_body != body:
            ours_changed += 1
    print(
        f"{total} front matters: a ruamel.yaml round trip changed other lines in "
        f"{ruamel_changed}, the line editor in {ours_changed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
