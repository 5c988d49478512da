"""GET /search/issues: the qualifiers a registry bot uses, over the stand-in's issues and pulls.

Supported: ``repo:o/r``, ``is:``/``type:`` issue|pr|open|closed|locked, ``state:``, ``label:`` (repeatable,
quoted names allowed), ``-label:``, ``no:label``, ``author:``, ``assignee:``, ``in:title|body|comments``
and free words (all must appear, case-insensitively). Unknown qualifiers are 422, not silently ignored.
"""

from __future__ import annotations

import shlex

from wxsandbox.github.router import Ctx, Router
from wxsandbox.github.state import ApiError, Issue, Repo
from wxsandbox.http import Response


def _terms(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError as exc:
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Search", "field": "q", "code": "invalid"}]) \
            from exc


def search_issues(ctx: Ctx) -> Response:
    query = ctx.request.query_value("q")
    if not query:
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Search", "field": "q", "code": "missing"}])
    repos: list[str] = []
    checks: list[tuple[str, str]] = []
    fields = {"title", "body"}
    words: list[str] = []
    for term in _terms(query):
        key, sep, value = term.partition(":")
        if not sep or not value:
            words.append(term.lower())
            continue
        key = key.lower()
        if key == "repo":
            repos.append(value.lower())
        elif key == "in":
            fields = set(value.lower().split(","))
        elif key in ("is", "type", "state", "label", "-label", "no", "author", "assignee"):
            checks.append((key, value))
        else:
            raise ApiError(422, "Validation Failed",
                           errors=[{"resource": "Search", "field": "q", "code": "invalid",
                                    "message": f"unsupported qualifier {key}:"}])
    with ctx.hub.state.lock:
        found: list[tuple[Repo, Issue]] = []
        for repo in ctx.hub.state.repos.values():
            if repos and repo.full_name.lower() not in repos:
                continue
            for issue in repo.issues.values():
                if _matches(ctx, repo, issue, checks, fields, words):
                    found.append((repo, issue))
        order = ctx.request.query_value("order") or "desc"
        sort = ctx.request.query_value("sort")
        if sort == "updated":
            found.sort(key=lambda pair: (pair[1].updated_at, pair[1].id))
        else:
            found.sort(key=lambda pair: (pair[1].created_at, pair[1].id))
        if order != "asc":
            found.reverse()
        items = [{**ctx.hub.shapes.issue(repo, issue), "score": 1.0} for repo, issue in found]
        chunk, headers = ctx.page(items)
        body = {"total_count": len(items), "incomplete_results": False, "items": chunk, "search_type": "lexical"}
        return Response.json(body, headers=headers)


def _is(issue: Issue, value: str) -> bool:
    tests = {
        "issue": lambda: issue.pull is None, "pr": lambda: issue.pull is not None,
        "pull-request": lambda: issue.pull is not None, "open": lambda: issue.state == "open",
        "closed": lambda: issue.state == "closed", "locked": lambda: issue.locked,
        "merged": lambda: issue.pull is not None and issue.pull.merged,
    }
    test = tests.get(value)
    if test is None:
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Search", "field": "q", "code": "invalid"}])
    return test()


def _qualifier(issue: Issue, key: str, value: str) -> bool:
    labels = {name.lower() for name in issue.labels}
    if key in ("is", "type"):
        return _is(issue, value)
    if key == "state":
        return issue.state == value
    if key == "label":
        return bool(set(value.split(",")) & labels)
    if key == "-label":
        return value not in labels
    if key == "no":
        return value != "label" or not labels
    if key == "author":
        return issue.user.lower() == value
    return value in {a.lower() for a in issue.assignees}  # assignee


def _matches(ctx: Ctx, repo: Repo, issue: Issue, checks: list[tuple[str, str]], fields: set[str],
             words: list[str]) -> bool:
    if not all(_qualifier(issue, key, value.lower()) for key, value in checks):
        return False
    if not words:
        return True
    haystack = []
    if "title" in fields:
        haystack.append(issue.title)
    if "body" in fields:
        haystack.append(issue.body or "")
    if "comments" in fields:
        haystack += [c.body for c in ctx.hub.state.comments.values()
                     if c.repo == repo.full_name and c.issue_number == issue.number]
    text = "\n".join(haystack).lower()
    return all(word in text for word in words)


def register(router: Router) -> None:
    router.add("GET", "/search/issues", search_issues)
