"""Required and recommended files; README sections for install, usage and configuration."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding

README_NAMES = ("README.md", "readme.md", "README.MD", "Readme.md", "README_zh.md", "README.zh.md")
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING")
MIN_README_CHARS = 200

# (section, heading pattern, examples for the fix hint)
SECTIONS = (
    ("安装 / install", re.compile(r"安装|install", re.IGNORECASE), "`## 安装` / `## Installation`"),
    (
        "使用 / usage",
        re.compile(r"使用|用法|usage|getting started|quick ?start", re.IGNORECASE),
        "`## 使用` / `## Usage`",
    ),
    ("配置 / configuration", re.compile(r"配置|config", re.IGNORECASE), "`## 配置` / `## Configuration`"),
)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+)$")


def find_first(ctx: ReviewContext, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if ctx.tree.get(name) is not None), None)


class StructureCheck:
    name = "structure"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        tree = ctx.tree
        readme = find_first(ctx, README_NAMES)
        if readme is None:
            yield rules.Q001.at(name="README.md")
        if find_first(ctx, LICENSE_NAMES) is None:
            yield rules.Q001.at(name="LICENSE")
        paths = {f.path for f in tree.files}
        if "requirements.txt" not in paths:
            yield rules.Q002.at(name="requirements.txt")
        if "CHANGELOG.md" not in paths:
            yield rules.Q002.at(name="CHANGELOG.md")
        for folder in ("docs/", "tests/"):
            if not any(p.startswith(folder) for p in paths):
                yield rules.Q002.at(name=folder)
        if readme is not None:
            text = tree.text(readme) or ""
            if len(text.strip()) < MIN_README_CHARS:
                yield rules.Q005.at(readme, chars=len(text.strip()))
            headings = [m.group(1) for line in text.splitlines() if (m := HEADING.match(line))]
            for section, pattern, examples in SECTIONS:
                if not any(pattern.search(h) for h in headings):
                    yield rules.Q003.at(readme, section=section, examples=examples)
        for shot in ctx.submission.screenshots:
            if shot.startswith("https://"):
                continue
            if shot.removeprefix("./") not in paths:
                yield rules.Q004.at(shot=shot)
