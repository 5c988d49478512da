"""Helpers of the review tests: the ``review_plugin`` fixture's type and finding ids of a result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wxreg.review.engine import ReviewResult
from wxreg.review.github import SUBMISSION_LABEL, GitHubReviewer
from wxsandbox.github import testing

ReviewFn = Callable[..., ReviewResult]
"""``review_plugin(files, *, tag=..., ...)``: build a plugin repository and review it (tests/review/conftest.py)."""


def ids(result: ReviewResult) -> set[str]:
    return {f.id for f in result.findings}


REGISTRY = "wxauto-mgt/plugin-registry"
"""The registry repository of the review tests' GitHub stand-in."""


@dataclass
class Forge:
    """A GitHub stand-in with a registry, a plugin repository and our reviewer pointed at them."""

    gh: Any
    reviewer: GitHubReviewer
    plugin_url: str

    def client(self, login: str) -> Any:
        return testing.pygithub(self.gh, self.gh.token_for(login))

    def open_submission(self, login: str, body: str) -> int:
        issue = self.client(login).get_repo(REGISTRY).create_issue(title="[插件提交 / Plugin] Daily Quote", body=body)
        # What the issue form does for anyone: apply the template's label.
        self.client("maintainer").get_repo(REGISTRY).get_issue(issue.number).add_to_labels(SUBMISSION_LABEL)
        return int(issue.number)

    def comments(self, number: int) -> list[Any]:
        return list(self.client("maintainer").get_repo(REGISTRY).get_issue(number).get_comments())

    def labels(self, number: int) -> set[str]:
        return {label.name for label in self.client("maintainer").get_repo(REGISTRY).get_issue(number).labels}
