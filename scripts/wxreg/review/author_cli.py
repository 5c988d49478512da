"""``wxreg review PATH_OR_URL --tag TAG``: the review the registry's CI runs, for a plugin author.

The same engine, policy and scanners as the submission workflow; readable text by default,
``--format markdown`` (what the bot posts) or ``--format json``. Exit status: 0 passed, 1 failed,
2 could not review (a missing scanner, an unreachable service, an unreadable repository: never
the plugin's fault, always one short line on stderr saying what to do).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from wxreg.review.context import ToolConfig
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.options import EXIT_CANNOT, EXIT_FAILED, EXIT_PASSED, add_configuration
from wxreg.review.policy import PolicyError, ReviewPolicy, load_policy
from wxreg.review.preflight import ToolProblem, missing_scanners, tool_failures
from wxreg.review.report import render_json, render_markdown
from wxreg.review.source import SourceError
from wxreg.review.text import render_text

AUTHOR_RERUN_HINT = (
    "修复后推送新标签，再运行 `wxreg review . --tag 新标签`。/ Fix, push a new tag, and run "
    "`wxreg review . --tag NEW_TAG` again."
)


def load_options(args: argparse.Namespace, extra_prefixes: tuple[str, ...] = (), *,
                 registry_dir: Path | None = None) -> ReviewOptions:
    """The review's options from :func:`add_configuration`'s arguments; :class:`PolicyError` when the policy
    cannot be read. ``registry_dir`` overrides ``--registry-dir``."""
    policy: ReviewPolicy = load_policy(args.policy)
    extra = tuple(args.allow_url_prefix) + tuple(p for p in extra_prefixes if p not in policy.allowed_url_prefixes)
    if extra:
        policy = policy.with_extra_url_prefixes(extra)
    return ReviewOptions(
        policy=policy,
        tools=ToolConfig(python=args.scanner_python, osv_url=args.osv_url or None, pypi_url=args.pypi_url,
                         timeout_seconds=policy.limits.scanner_timeout_seconds),
        registry_dir=registry_dir or args.registry_dir,
    )


def report_problems(problems: list[ToolProblem]) -> int:
    for problem in problems:
        print(f"无法审核 / could not review: {problem}", file=sys.stderr)
    return EXIT_CANNOT


def run_review(request: ReviewRequest, options: ReviewOptions) -> ReviewResult | int:
    """The review, or the exit status when our side (tools, network, source) stopped it."""
    try:
        result = review(request, options)
    except SourceError as exc:
        print(f"无法审核 / could not review: {exc.finding.message}", file=sys.stderr)
        return EXIT_CANNOT
    ours = tool_failures(result.findings, options.tools.osv_url, options.tools.pypi_url)
    if ours:
        # Only now look for a scanner that is not installed (one more interpreter start, on the failure
        # path only): that is the more useful message, with the line that installs it.
        return report_problems(missing_scanners(options.tools, guarddog=options.policy.guarddog) or ours)
    return result


def _review_head(source: str, options: ReviewOptions) -> ReviewResult | int:
    """No tag (a branch push): review HEAD of a local repository as if tagged ``v<plugin.json version>``,
    in a scratch clone, so the author's repository is never touched."""
    path = Path(source)
    if not (path / ".git").exists():
        print("需要 --tag（不带标签只能审核本地仓库的 HEAD）/ --tag is required (without one only a local "
              "repository's HEAD can be reviewed)", file=sys.stderr)
        return EXIT_CANNOT
    git = ["git", "-c", "protocol.file.allow=always"]
    shown = subprocess.run([*git, "-C", str(path), "show", "HEAD:plugin.json"], capture_output=True, check=False)
    try:
        version = json.loads(shown.stdout.decode("utf-8")).get("version") if shown.returncode == 0 else None
    except (UnicodeDecodeError, ValueError, AttributeError):
        version = None
    if not isinstance(version, str) or not version or not version.replace(".", "").isalnum():
        print("HEAD 没有可读的 plugin.json 版本；请用 --tag / HEAD has no readable plugin.json version; pass --tag",
              file=sys.stderr)
        return EXIT_CANNOT
    tag = f"v{version}"
    with tempfile.TemporaryDirectory(prefix="wxreg-head-") as scratch:
        clone = Path(scratch) / "plugin"
        for command in ([*git, "clone", "--quiet", "--no-checkout", "--no-tags", str(path.resolve()), str(clone)],
                        [*git, "-C", str(clone), "tag", tag, "HEAD"]):
            if subprocess.run(command, capture_output=True, check=False, timeout=120).returncode != 0:
                print(f"无法读取 / cannot read {path}: git {' '.join(command[3:5])}", file=sys.stderr)
                return EXIT_CANNOT
        print(f"审核 HEAD，视为标签 {tag} / reviewing HEAD as tag {tag}", file=sys.stderr)
        rev_parse = [*git, "-C", str(path), "rev-parse", "--verify", "--quiet"]
        tagged = subprocess.run([*rev_parse, f"refs/tags/{tag}^{{commit}}"], capture_output=True, check=False)
        head = subprocess.run([*rev_parse, "HEAD"], capture_output=True, check=False)
        if tagged.returncode == 0 and tagged.stdout.strip() != head.stdout.strip():
            print(f"注意：标签 {tag} 已存在并指向另一个提交；打新标签前请提升 plugin.json 的 version / note: tag {tag} "
                  f"already exists at another commit; raise plugin.json's version before you tag", file=sys.stderr)
        outcome = run_review(ReviewRequest(repo=str(clone), tag=tag), options)
        # The report names the author's repository, not the scratch clone it was read from.
        return outcome if isinstance(outcome, int) else replace(outcome, repo=str(path))


def run_author_review(args: argparse.Namespace) -> int:
    from wxreg.review.prestart import prestarted

    with prestarted(args.scanner_python):  # bandit's interpreter starts while the tag is read
        return _author_review(args)


def _author_review(args: argparse.Namespace) -> int:
    try:
        options = load_options(args)
    except PolicyError as exc:
        print(f"无法审核 / could not review: {exc}", file=sys.stderr)
        return EXIT_CANNOT
    tag = args.tag or (os.environ.get("GITHUB_REF_NAME", "") if os.environ.get("GITHUB_REF_TYPE") == "tag" else "")
    if tag:
        outcome = run_review(ReviewRequest(repo=args.source, tag=tag), options)
    else:
        outcome = _review_head(args.source, options)
    if isinstance(outcome, int):
        return outcome
    markdown = render_markdown(outcome, rerun_hint=AUTHOR_RERUN_HINT)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    output = {"text": render_text, "json": render_json}.get(args.format)
    sys.stdout.write(output(outcome) if output else markdown + "\n")
    return EXIT_PASSED if outcome.passed else EXIT_FAILED


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "review",
        help="审核一个插件（与注册表 CI 相同）/ review a plugin exactly as the registry's CI does",
        description="审核插件仓库在某个标签处的代码，从不执行插件代码。退出码：0 通过，1 未通过，2 无法审核。"
                    " / Review a plugin repository at a tag; plugin code is never run. "
                    "Exit status: 0 passed, 1 failed, 2 could not review.",
    )
    parser.add_argument("source", metavar="PATH_OR_URL",
                        help="插件的本地 git 仓库或允许的 URL / the plugin's local git repository or an allowed URL")
    parser.add_argument("--tag", default="",
                        help="要审核的标签，如 v1.0.0；省略时审核本地仓库的 HEAD（视为 v<plugin.json 版本>），"
                             "GitHub Actions 标签推送时取该标签 / the tag to review, e.g. v1.0.0; without it, HEAD "
                             "of a local repository as v<plugin.json version> (on a tag push in Actions: that tag)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                        help="输出格式（默认 text）/ output format (default text)")
    add_configuration(parser)
    parser.set_defaults(handler=run_author_review)
