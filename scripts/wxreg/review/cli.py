"""``python scripts/plugin_reviewer.py``: review a plugin locally, or submissions on GitHub.

Exit status: 0 the review passed, 1 it failed, 2 it could not be done (the reason is on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# Only what parsing the command line needs: a review starts bandit's interpreter (wxreg.review.prestart) before
# the review's own modules are imported, inside the functions below.
from wxreg.forge.arguments import add_forge_arguments
from wxreg.review.options import EXIT_CANNOT, EXIT_FAILED, EXIT_PASSED, add_configuration

TYPE_CHECKING = False  # typing itself loads after the scanner's interpreter has started
if TYPE_CHECKING:
    from wxreg.review.engine import ReviewOptions, ReviewResult
    from wxreg.review.findings import Finding
    from wxreg.review.github import GitHubReviewer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plugin_reviewer.py",
        description="审核 WXAUTO-MGT 插件（从不执行插件代码） / Review WXAUTO-MGT plugins (plugin code is never run).",
    )
    local = parser.add_argument_group("本地审核 / local review (no GitHub)")
    local.add_argument("--repo", help="本地 git 仓库路径或允许的 URL / local git repository path or allowed URL")
    local.add_argument("--tag", help="要审核的标签 / the tag to review")
    local.add_argument(
        "--body-file", type=Path, help="issue 正文文件（代替 plugin.json 生成提交）/ an issue body to parse"
    )
    local.add_argument(
        "--expected-commit", help="此前审核固定的提交；不同即标签被移动 / commit pinned by an earlier review"
    )
    github = parser.add_argument_group("GitHub")
    github.add_argument("--issue", type=int, help="审核一个 issue / review one issue")
    github.add_argument("--github-token", default=None, help="默认读取 GITHUB_TOKEN / defaults to $GITHUB_TOKEN")
    add_forge_arguments(github)
    github.add_argument(
        "--auto-approve", action="store_true", help="为通过的审核加 approved 标签 / label passing reviews"
    )
    github.add_argument(
        "--publish",
        type=Path,
        metavar="REPORT_MD",
        help="发布此前生成的报告（需 --issue）/ post a report made earlier by the analysis job (with --issue)",
    )
    github.add_argument("--no-post", action="store_true", help="只打印，不评论 / print, do not comment")
    github.add_argument(
        "--waive-event",
        type=Path,
        help="issue_comment 事件文件：维护者的 /waive 评论 / issue_comment event file: a maintainer's /waive comment",
    )
    out = parser.add_argument_group("输出 / output")
    out.add_argument("--json", action="store_true", help="打印 JSON 报告 / print the JSON report")
    out.add_argument("--markdown-out", type=Path, help="写入 markdown 报告 / write the markdown report here")
    out.add_argument("--json-out", type=Path, help="写入 JSON 报告 / write the JSON report here")
    add_configuration(parser)
    return parser


def emit(result: ReviewResult, args: argparse.Namespace, sections: Sequence[str] = ()) -> None:
    from wxreg.review.report import render_json, render_markdown

    markdown = render_markdown(result, sections=sections)
    as_json = render_json(result)
    if args.markdown_out:
        args.markdown_out.write_text(markdown, encoding="utf-8")
    if args.json_out:
        args.json_out.write_text(as_json, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    sys.stdout.write(as_json if args.json else markdown + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    github_mode = args.issue is not None or (args.repo is None and args.body_file is None)
    if github_mode and (args.publish is not None or args.waive_event is not None):
        return _main(args, github_mode)  # posts a report, or re-reviews only for a /waive comment
    from wxreg.review.prestart import prestarted

    with prestarted(args.scanner_python):
        return _main(args, github_mode)


def _main(args: argparse.Namespace, github_mode: bool) -> int:
    from wxreg.forge.config import forge_url_prefix
    from wxreg.review.author_cli import load_options
    from wxreg.review.policy import PolicyError

    # GitHub mode: plugins live on the forge the workflow runs on (GITHUB_SERVER_URL: github.com,
    # or a GitHub Enterprise host).
    forge = (forge_url_prefix(args),) if github_mode else ()
    try:
        options = load_options(args, forge)
    except PolicyError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CANNOT
    if github_mode:
        return _github_main(args, options)
    return _local_main(args, options)


def _local_main(args: argparse.Namespace, options: ReviewOptions) -> int:
    from wxreg.review.author_cli import run_review
    from wxreg.review.engine import ReviewRequest
    from wxreg.review.submission import parse_issue_body

    submission = None
    submission_findings: tuple[Finding, ...] = ()
    repo, tag = args.repo, args.tag
    remote_only = False
    if args.body_file is not None:
        try:
            body = args.body_file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            print(f"无法读取 / cannot read {args.body_file}: {exc}", file=sys.stderr)
            return EXIT_CANNOT
        parsed = parse_issue_body(body)
        submission, submission_findings = parsed.submission, parsed.findings
        remote_only = not repo  # a repository named by the body itself must be an allowed URL
        repo = repo or submission.github_repo
        tag = tag or submission.release_tag
    if not repo or not tag:
        print("需要 --repo 与 --tag / --repo and --tag are required", file=sys.stderr)
        return EXIT_CANNOT
    request = ReviewRequest(
        repo=repo,
        tag=tag,
        submission=submission,
        submission_findings=submission_findings,
        expected_commit=args.expected_commit,
        remote_only=remote_only,
    )
    result = run_review(request, options)
    if isinstance(result, int):
        return result
    emit(result, args)
    return EXIT_PASSED if result.passed else EXIT_FAILED


def _github_main(args: argparse.Namespace, options: ReviewOptions) -> int:
    token = args.github_token or os.environ.get("GITHUB_TOKEN")
    if not token or not args.github_repo:
        print(
            "GitHub 模式需要令牌与仓库 / GitHub mode needs a token (--github-token or GITHUB_TOKEN) "
            "and the registry repository (--github-repo or GITHUB_REPOSITORY)",
            file=sys.stderr,
        )
        return EXIT_CANNOT
    from wxreg.forge.config import forge_config
    from wxreg.review.github import GitHubError, GitHubReviewer

    reviewer = GitHubReviewer(forge_config(args, token=token, repo=args.github_repo, post=not args.no_post), options)
    try:
        if args.publish is not None:
            if args.issue is None:
                print("--publish 需要 --issue / --publish needs --issue", file=sys.stderr)
                return EXIT_CANNOT
            published = reviewer.publish(
                args.issue, args.publish.read_text(encoding="utf-8"), auto_approve=args.auto_approve
            )
            if published.skipped:
                print(f"#{args.issue}: {published.skipped}", file=sys.stderr)
            return EXIT_PASSED
        if args.waive_event is not None:
            return _waive(reviewer, args)
        numbers = [args.issue] if args.issue is not None else reviewer.submissions_needing_review()
        status = EXIT_PASSED
        for number in numbers:
            outcome = reviewer.review_issue(number, auto_approve=args.auto_approve)
            if outcome.result is not None:
                emit(outcome.result, replace_json(args), outcome.sections)
            if outcome.error:
                print(f"#{number}: {outcome.error}", file=sys.stderr)
                status = EXIT_CANNOT
            elif outcome.result is not None and not outcome.result.passed and status == EXIT_PASSED:
                status = EXIT_FAILED
        return status
    except (GitHubError, OSError) as exc:
        print(f"GitHub: {exc}", file=sys.stderr)
        return EXIT_CANNOT


def _waive(reviewer: GitHubReviewer, args: argparse.Namespace) -> int:
    """An ``issue_comment`` event: a ``/waive`` comment re-reviews the issue with the waiver (or does nothing)."""
    import json

    event = json.loads(args.waive_event.read_text(encoding="utf-8"))
    comment = event.get("comment") or {}
    number = (event.get("issue") or {}).get("number")
    login = (comment.get("user") or {}).get("login")
    body = comment.get("body")
    if not isinstance(number, int) or not isinstance(login, str) or not isinstance(body, str):
        print("事件不是 issue 评论 / the event is not an issue comment", file=sys.stderr)
        return EXIT_CANNOT
    outcome = reviewer.waive(number, login, body)
    if outcome.skipped:
        print(f"#{number}: {outcome.skipped}", file=sys.stderr)
        return EXIT_PASSED
    if outcome.result is not None:
        emit(outcome.result, args)
    if outcome.error:
        print(f"#{number}: {outcome.error}", file=sys.stderr)
        return EXIT_CANNOT
    return EXIT_PASSED if outcome.result is not None and outcome.result.passed else EXIT_FAILED


def replace_json(args: argparse.Namespace) -> argparse.Namespace:
    """Several issues in one run: never overwrite one report file with the next."""
    if args.issue is not None:
        return args
    copy = argparse.Namespace(**vars(args))
    copy.markdown_out = None
    copy.json_out = None
    return copy


__all__ = ["main"]
