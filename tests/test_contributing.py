"""CONTRIBUTING.md carries the generated rubric verbatim, so the published rules cannot drift from the policy."""

from __future__ import annotations

from pathlib import Path

from wxreg.review.rubric import render_rubric

ROOT = Path(__file__).resolve().parents[1]


def section(text: str, name: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"\n<!-- {name}:end -->"
    assert start in text and end in text, name
    return text.split(start, 1)[1].split(end, 1)[0]


def test_contributing_embeds_the_current_rubric() -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert section(contributing, "rubric").strip() == render_rubric().strip()
