"""Compatibility: PEP 440 python_version, code parses at the minimum Python, WXAUTO-MGT range, OS names."""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from wxreg.review import rules
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding
from wxreg.versions import client_compare

KNOWN_OS = ("Windows", "Linux", "Darwin")
LOWEST_PARSABLE = (3, 7)  # the lowest grammar ast.parse(feature_version=...) models well
WITH_PAREN = re.compile(r"\bwith\s*\(")
NOISE = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)


def minimum_python(spec: SpecifierSet) -> tuple[int, int] | None:
    """The lowest ``3.x`` the specifier admits (any patch release), or ``None``."""
    for minor in range(0, 30):
        if any(spec.contains(f"3.{minor}.{patch}", prereleases=True) for patch in (0, 1, 5, 10, 20, 50)):
            return (3, minor)
    return None


def parenthesized_with(text: str) -> int | None:
    """The line of a parenthesised ``with (a as x, b as y):`` (Python 3.9+), which ``ast.parse`` on newer
    interpreters accepts whatever ``feature_version`` says; ``None`` when there is none."""
    if WITH_PAREN.search(text) is None:
        return None
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in NOISE]
    except (tokenize.TokenError, SyntaxError):
        return None
    for index, token in enumerate(tokens[:-1]):
        if token.type != tokenize.NAME or token.string != "with" or tokens[index + 1].string != "(":
            continue
        depth = 0
        for inner in tokens[index + 1 :]:
            if inner.string in "([{" and inner.type == tokenize.OP:
                depth += 1
            elif inner.string in ")]}" and inner.type == tokenize.OP:
                depth -= 1
                if depth == 0:
                    break
            elif depth == 1 and inner.type == tokenize.NAME and inner.string == "as":
                return token.start[0]
    return None


def maximum_python(spec: SpecifierSet, ceiling: tuple[int, int]) -> tuple[int, int] | None:
    """The highest ``3.x`` up to ``ceiling`` (the reviewer's own Python) the specifier admits, or ``None``."""
    for minor in range(ceiling[1], -1, -1):
        if any(spec.contains(f"3.{minor}.{patch}", prereleases=True) for patch in (0, 1, 5, 10, 20, 50)):
            return (3, minor)
    return None


class CompatibilityCheck:
    name = "compatibility"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        manifest = ctx.manifest or {}
        sub = ctx.submission

        def text(key: str) -> str | None:
            value = manifest.get(key)
            return value if isinstance(value, str) and value else None

        if sub.source == "issue":
            for field, key, submitted in (
                ("Python 版本 / python_version", "python_version", sub.python_version),
                ("最低 WXAUTO-MGT 版本 / min_wxauto_version", "min_wxauto_version", sub.min_wxauto_version),
                ("最高 WXAUTO-MGT 版本 / max_wxauto_version", "max_wxauto_version", sub.max_wxauto_version),
            ):
                if submitted and text(key) and text(key) != submitted:
                    yield rules.C006.at("plugin.json", field=field, submitted=submitted, manifest=text(key))

        python_version = text("python_version") or sub.python_version or None
        minimum: tuple[int, int] | None = None
        maximum: tuple[int, int] | None = None
        if python_version is None:
            yield rules.C005.at("plugin.json", field="python_version")
        else:
            try:
                minimum = minimum_python(SpecifierSet(python_version))
                maximum = maximum_python(SpecifierSet(python_version), sys.version_info[:2])
                if minimum is None:
                    yield rules.C001.at("plugin.json", spec=python_version)
            except InvalidSpecifier:
                yield rules.C001.at("plugin.json", spec=python_version)
        if minimum is not None:
            current = sys.version_info[:2]
            feature = max(LOWEST_PARSABLE, min(minimum, current))
            label = f"{minimum[0]}.{minimum[1]}"
            for item in ctx.code.files:
                parsed = item.module(feature)
                if isinstance(parsed, SyntaxError):
                    yield rules.C002.at(item.path, parsed.lineno, minimum=label, detail=parsed.msg or str(parsed))
                    continue
                if minimum < (3, 9) and item.text is not None and (line := parenthesized_with(item.text)):
                    yield rules.C002.at(item.path, line, minimum=label, detail="parenthesized context managers")
                    continue
                if maximum is not None and maximum != feature and maximum >= LOWEST_PARSABLE:
                    # The grammar can also lose syntax (``async`` as a name): parse at the highest too.
                    at_top = item.module(maximum)
                    if isinstance(at_top, SyntaxError):
                        yield rules.K008.at(
                            item.path, at_top.lineno, maximum=f"3.{maximum[1]}", detail=at_top.msg or str(at_top)
                        )

        low_text = text("min_wxauto_version") or sub.min_wxauto_version or None
        high_text = text("max_wxauto_version") or sub.max_wxauto_version
        if low_text is None:
            yield rules.C005.at("plugin.json", field="min_wxauto_version")
        if low_text and high_text and client_compare(low_text.strip(), high_text.strip()) == 1:
            yield rules.C003.at("plugin.json", min=low_text, max=high_text)

        systems = manifest.get("supported_os")
        names = [x for x in systems if isinstance(x, str)] if isinstance(systems, list) else list(sub.supported_os)
        for name in names:
            if name not in KNOWN_OS:
                yield rules.C004.at("plugin.json", os=name)
        if not names:
            yield rules.C005.at("plugin.json", field="supported_os")
