"""One contract, two forges: the in-memory fake (``wxreg.forge.fake``) must answer the shared operations the
way the PyGithub implementation answers over the sandbox's GitHub stand-in, or unit tests on the fake
would prove nothing. Each test runs against both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wxreg.forge.config import GitHubConfig
from wxreg.forge.fake import FakeForge
from wxreg.forge.github import GitHubForge
from wxreg.forge.interface import Forge, ForgeError, PagesSite, Protection, Status
from wxsandbox.github import testing
from wxsandbox.github.server import GitHubStandIn

REGISTRY = "wxauto/registry"


@dataclass
class Arena:
    """A forge plus what the test needs to arrange around it (a person's issue, roles, a lost answer)."""

    forge: Forge
    main: str
    """The sha main points at."""
    new_issue: Callable[[str, str, str], int]
    lose_next: Callable[[str], None]
    """``lose_next("comment" | "pull")``: the next such create lands, then its answer is lost (502)."""
    admin: Forge
    """The same repository seen by its owner's token (settings are admin-only, as on GitHub)."""
    set_up: Callable[[], None]
    """Settings as the fork checklist makes them: Pages from GitHub Actions, main protected (registry-pr, strict)."""


def _fake(_tmp: Path) -> Iterator[Arena]:
    fake = FakeForge(repo=REGISTRY, roles={"maria": "maintain", "tom": "triage"},
                     public_members={"acme": {"bob"}})
    main = "0" * 40
    fake.commits[main] = {"README.md": b"registry\n"}
    fake.branches["main"] = main

    def new_issue(user: str, title: str, body: str) -> int:
        return fake.add_issue(user, title, body)

    def set_up() -> None:
        fake.pages_site = PagesSite("workflow", "https://wxauto.github.io/registry/")
        fake.protection["main"] = ["wxreg/registry-pr"]
        fake.protection_strict.add("main")

    yield Arena(fake, main, new_issue, lambda _kind: fake.lose_next(), fake, set_up)


def _standin(tmp: Path) -> Iterator[Arena]:
    gh = GitHubStandIn(tmp / "github").start()
    try:
        for login in ("wxauto", "maria", "tom", "alice", "bob"):
            gh.add_user(login)
        gh.create_repo("wxauto", "registry")
        gh.set_role(REGISTRY, "maria", "maintain")
        gh.set_role(REGISTRY, "tom", "triage")
        gh.add_org("acme", public_members=["bob"])
        seed = tmp / "seed"
        seed.mkdir()
        (seed / "README.md").write_text("registry\n", encoding="utf-8")
        main = gh.push_directory(REGISTRY, seed, message="Seed")
        config = GitHubConfig(token=gh.bot_token, repo=REGISTRY, api_url=gh.api_url, web_url=gh.url,
                              bot_login=gh.bot_login, throttle=False)

        def new_issue(user: str, title: str, body: str) -> int:
            return int(testing.pygithub(gh, gh.token_for(user)).get_repo(REGISTRY).create_issue(title=title,
                                                                                               body=body).number)

        def lose_next(kind: str) -> None:
            path = r"/issues/\d+/comments$" if kind == "comment" else r"/pulls$"
            gh.faults.lose_response("POST", path, status=502)

        def set_up() -> None:
            gh.enable_pages(REGISTRY, build_type="workflow")
            gh.protect_branch(REGISTRY, "main", ["wxreg/registry-pr"], strict=True)

        admin = GitHubForge(GitHubConfig(token=gh.token_for("wxauto"), repo=REGISTRY, api_url=gh.api_url,
                                         web_url=gh.url, bot_login=None, throttle=False))
        yield Arena(GitHubForge(config), main, new_issue, lose_next, admin, set_up)
    finally:
        gh.stop()


@pytest.fixture(params=["fake", "standin"])
def arena(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Arena]:
    yield from (_fake if request.param == "fake" else _standin)(tmp_path)


def test_issues_comments_and_labels(arena: Arena) -> None:
    forge = arena.forge
    number = arena.new_issue("alice", "[插件提交 / Plugin] x", "body")
    issue = forge.issue(number)
    assert (issue.number, issue.title, issue.body, issue.user, issue.state) == (number, "[插件提交 / Plugin] x",
                                                                                 "body", "alice", "open")
    assert not issue.is_pull_request
    forge.add_label(number, "plugin-submission")
    forge.add_label(number, "plugin-submission")  # twice: still one label
    forge.remove_label(number, "not-there")  # no error
    assert forge.issue(number).labels == frozenset({"plugin-submission"})
    assert [i.number for i in forge.open_issues("plugin-submission")] == [number]
    made = forge.create_comment(number, "hello")
    forge.edit_comment(made.id, "edited")
    assert [(c.user, c.body) for c in forge.comments(number)] == [(forge.bot_login, "edited")]
    forge.remove_label(number, "plugin-submission")
    forge.close_issue(number, "not_planned")
    assert forge.issue(number).state == "closed" and forge.issue(number).labels == frozenset()
    with pytest.raises(ForgeError):
        forge.issue(9999)


def test_roles_and_public_membership(arena: Arena) -> None:
    forge = arena.forge
    assert forge.role("maria").role == "maintain" and forge.role("maria").may_decide
    assert forge.role("tom").role == "triage" and not forge.role("tom").may_decide
    assert not forge.role("alice").may_decide
    assert forge.is_public_member("acme", "bob") is True
    assert forge.is_public_member("acme", "alice") is False


def test_a_lost_comment_answer_is_looked_up_not_repeated(arena: Arena) -> None:
    forge = arena.forge
    number = arena.new_issue("alice", "t", "b")
    arena.lose_next("comment")
    made = forge.create_comment(number, "<!-- marker -->\nonce")
    assert [c.body for c in forge.comments(number)] == ["<!-- marker -->\nonce"]
    assert made.id == forge.comments(number)[0].id


def test_branches_commits_pulls_and_statuses(arena: Arena) -> None:
    forge = arena.forge
    assert forge.branch_sha("main") == arena.main and forge.branch_sha("nope") is None
    first = forge.commit(arena.main, {"registry/plugins/x.json": b"{}\n"}, "add x")
    assert forge.create_branch("registry/x", first) is True
    assert forge.create_branch("registry/x", first) is False  # exists: nothing done
    second = forge.commit(arena.main, {"registry/plugins/x.json": b"{\"v\": 2}\n"}, "x again")
    assert forge.move_branch("registry/x", second, expected="f" * 40) is False  # moved meanwhile
    assert forge.branch_sha("registry/x") == first
    assert forge.move_branch("registry/x", second, expected=first) is True
    assert forge.branch_sha("registry/x") == second

    arena.lose_next("pull")
    pull = forge.create_pull("main", "registry/x", "Add x", "body")
    assert [p.number for p in forge.open_pulls("main")] == [pull.number]  # one PR despite the lost answer
    found = forge.pull(pull.number)
    assert (found.head_ref, found.head_sha, found.head_repo, found.base_ref, found.user) == (
        "registry/x", second, REGISTRY, "main", forge.bot_login)
    forge.edit_pull(pull.number, title="Add x 2", body="body 2")
    assert (forge.pull(pull.number).title, forge.pull(pull.number).body) == ("Add x 2", "body 2")

    forge.set_status(second, Status("wxreg/registry-pr", "pending", "checking"))
    forge.set_status(second, Status("wxreg/registry-pr", "success", "valid"))
    assert [(s.context, s.state) for s in forge.statuses(second)] == [("wxreg/registry-pr", "success")]
    forge.close_pull(pull.number)
    assert forge.open_pulls("main") == []


def test_repository_settings_as_doctor_reads_them(arena: Arena) -> None:
    forge = arena.admin
    assert "plugin-submission" not in forge.label_names()
    forge.create_label("plugin-submission", "0e8a16", "a submission")
    forge.create_label("plugin-submission", "0e8a16", "a submission")  # twice: no error, one label
    assert "plugin-submission" in forge.label_names()
    assert forge.pages() is None and forge.branch_protection("main") is None
    assert forge.secret_names("registry-signing") is None  # no such environment
    assert forge.variables() == {}
    arena.set_up()
    site = forge.pages()
    assert site is not None and site.build_type == "workflow"
    assert forge.branch_protection("main") == Protection(frozenset({"wxreg/registry-pr"}), True)
