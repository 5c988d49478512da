"""PyGithub, as user ``alice``, does the whole tour against the stand-in."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import github
import pytest
import requests

from wxsandbox.github import GitHubStandIn
from wxsandbox.github.testing import RecordingSink, pygithub


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "gh", event_sink=RecordingSink()) as stand_in:
        yield stand_in


@pytest.fixture
def plugin_repo(gh: GitHubStandIn, tmp_path: Path) -> str:
    gh.add_user("alice", name="Alice", email="alice@example.com")
    gh.create_repo("alice", "weather-plugin", description="Weather for WXAUTO-MGT")
    source = tmp_path / "plugin"
    source.mkdir()
    (source / "plugin.json").write_text('{"plugin_id": "weather", "version": "1.0.0"}\n')
    (source / "main.py").write_text("class Plugin:\n    pass\n")
    gh.push_directory("alice/weather-plugin", source, tag="v1.0.0")
    return "alice/weather-plugin"


def test_issue_comment_and_labels(gh: GitHubStandIn, plugin_repo: str) -> None:
    alice = pygithub(gh, gh.token_for("alice"))
    repo = alice.get_repo(plugin_repo)
    assert alice.get_user().login == "alice"
    assert repo.default_branch == "main"
    assert repo.html_url == f"{gh.url}/{plugin_repo}"
    issue = repo.create_issue("[plugin] weather", body="### Plugin ID\n\nweather", labels=["enhancement"])
    assert issue.number == 1
    assert [label.name for label in issue.labels] == ["enhancement"]
    comment = issue.create_comment("Checking...")
    comment.edit("Checked: all good")
    assert repo.get_issue(1).get_comments()[0].body == "Checked: all good"
    assert repo.get_issue(1).comments == 1
    issue.add_to_labels("review:pending")
    issue.remove_from_labels("enhancement")
    assert [label.name for label in repo.get_issue(1).labels] == ["review:pending"]
    issue.set_labels("review:passed")
    assert [label.name for label in repo.get_issue(1).get_labels()] == ["review:passed"]
    assert repo.get_label("review:passed").color == "ededed"
    repo.create_label("featured", "fbca04", "Featured plugin")
    assert "featured" in {label.name for label in repo.get_labels()}
    issue.edit(title="[plugin] weather 1.0.0", body="edited")
    issue.edit(state="closed", state_reason="not_planned")
    closed = repo.get_issue(1)
    assert (closed.state, closed.state_reason, closed.title) == ("closed", "not_planned", "[plugin] weather 1.0.0")
    assert [i.number for i in repo.get_issues(state="closed")] == [1]
    assert list(repo.get_issues(state="open")) == []
    issue.edit(state="open")
    assert repo.get_issue(1).state_reason == "reopened"
    comment.delete()
    assert repo.get_issue(1).comments == 0


def test_permissions_by_role(gh: GitHubStandIn, plugin_repo: str) -> None:
    expected = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}
    for role in expected:
        gh.add_user(f"user-{role}")
        if role != "admin":
            gh.set_role(plugin_repo, f"user-{role}", role)
    gh.add_user("stranger")
    repo = pygithub(gh, gh.token_for("alice")).get_repo(plugin_repo)
    assert repo.get_collaborator_permission("alice") == "admin"
    for role, legacy in expected.items():
        login = "alice" if role == "admin" else f"user-{role}"
        assert repo.get_collaborator_permission(login) == legacy
        raw = requests.get(f"{gh.api_url}/repos/{plugin_repo}/collaborators/{login}/permission",
                           headers={"Authorization": f"token {gh.token_for('alice')}"}, timeout=10).json()
        assert (raw["role_name"], raw["permission"]) == (role, legacy)
    # A public repository: anyone reads.
    assert repo.get_collaborator_permission("stranger") == "read"
    # Who may do what.
    triager = pygithub(gh, gh.token_for("user-triage")).get_repo(plugin_repo)
    # GitHub's REST reference: only users with push access set labels at creation; others' are dropped.
    issue = triager.create_issue("by triage", labels=["bug"])
    assert issue.labels == []
    issue.add_to_labels("bug")  # triage may label an existing issue
    assert [label.name for label in triager.get_issue(issue.number).labels] == ["bug"]
    writer = pygithub(gh, gh.token_for("user-write")).get_repo(plugin_repo)
    assert [label.name for label in writer.create_issue("by writer", labels=["bug"]).labels] == ["bug"]
    with pytest.raises(github.GithubException) as denied:
        triager.create_label("nope", "000000")
    assert denied.value.status == 403
    reader = pygithub(gh, gh.token_for("user-read")).get_repo(plugin_repo)
    dropped = reader.create_issue("by reader", labels=["bug"])
    assert dropped.labels == []  # labels from someone without push access are silently dropped
    with pytest.raises(github.GithubException) as forbidden:
        reader.get_issue(issue.number).add_to_labels("question")
    assert forbidden.value.status == 403
    assert reader.get_collaborator_role_name("user-triage") == "triage"  # GitHub documents no 403 here
    with pytest.raises(github.UnknownObjectException):
        reader.get_collaborator_role_name("nobody")
    anonymous = github.Github(base_url=gh.api_url, retry=None, seconds_between_requests=None,
                              seconds_between_writes=None).get_repo(plugin_repo)
    with pytest.raises(github.GithubException) as unauthenticated:
        anonymous.create_issue("anonymous")
    assert unauthenticated.value.status == 401
    with pytest.raises(github.BadCredentialsException):
        pygithub(gh, "ghp_wrong").get_user().login  # noqa: B018


def test_contents_put_pull_request_merge_closes_issue(gh: GitHubStandIn, plugin_repo: str) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo(plugin_repo)
    issue = repo.create_issue("Manifest version is stale")
    other = repo.create_issue("Unrelated")
    main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/fix", main)
    current = repo.get_contents("plugin.json", ref="fix")
    assert not isinstance(current, list)
    assert current.decoded_content.startswith(b'{"plugin_id": "weather"')
    updated = repo.update_file("plugin.json", "Bump to 1.0.1", '{"plugin_id": "weather", "version": "1.0.1"}\n',
                               current.sha, branch="fix")
    created = repo.create_file("CHANGELOG.md", "Changelog", "# 1.0.1\n", branch="fix")
    assert created["commit"].sha != updated["commit"].sha
    pull = repo.create_pull(title="Bump to 1.0.1", body=f"Closes #{issue.number}", head="fix", base="main")
    assert pull.number == other.number + 1  # issues and pulls share one counter
    assert pull.mergeable is True
    assert {f.filename for f in pull.get_files()} == {"plugin.json", "CHANGELOG.md"}
    assert [p.number for p in repo.get_pulls()] == [pull.number]
    result = pull.merge(merge_method="merge")
    assert result.merged
    merged = repo.get_pull(pull.number)
    assert merged.merged and merged.state == "closed" and merged.merge_commit_sha == result.sha
    assert repo.get_branch("main").commit.sha == result.sha
    commit = repo.get_git_commit(result.sha)
    assert [p.sha for p in commit.parents] == [main, created["commit"].sha]
    assert commit.message.startswith(f"Merge pull request #{pull.number} from alice/fix")
    assert repo.get_issue(issue.number).state == "closed"
    assert repo.get_issue(issue.number).state_reason == "completed"
    assert repo.get_issue(other.number).state == "open"
    main_file = repo.get_contents("plugin.json")
    assert not isinstance(main_file, list)
    assert b'"1.0.1"' in main_file.decoded_content


def test_squash_merge_has_one_parent(gh: GitHubStandIn, plugin_repo: str) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo(plugin_repo)
    base = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/docs", base)
    repo.create_file("README.md", "Readme", "# Weather\n", branch="docs")
    repo.create_file("LICENSE", "License", "MIT\n", branch="docs")
    pull = repo.create_pull(title="Docs", body="", head="docs", base="main")
    result = pull.merge(merge_method="squash")
    commit = repo.get_git_commit(result.sha)
    assert [p.sha for p in commit.parents] == [base]
    assert commit.message.startswith(f"Docs (#{pull.number})")


def test_release_with_downloadable_archives(gh: GitHubStandIn, plugin_repo: str) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo(plugin_repo)
    release = repo.create_git_release("v1.0.0", "Weather 1.0.0", "First release")
    assert repo.get_release("v1.0.0").id == release.id
    assert [r.tag_name for r in repo.get_releases()] == ["v1.0.0"]
    assert repo.get_latest_release().tag_name == "v1.0.0"
    tag_sha = repo.get_git_ref("tags/v1.0.0").object.sha
    zipball = requests.get(release.zipball_url, timeout=10)
    assert zipball.status_code == 200 and zipball.headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(zipball.content)).namelist()
    prefix = f"alice-weather-plugin-{tag_sha[:7]}/"
    assert f"{prefix}plugin.json" in names and f"{prefix}main.py" in names
    tarball = requests.get(release.tarball_url, timeout=10)
    assert tarball.status_code == 200 and tarball.content[:2] == b"\x1f\x8b"
    # A release for a new tag creates the tag at the target.
    repo.create_git_release("v1.1.0", "Weather 1.1.0", "", target_commitish="main")
    assert repo.get_git_ref("tags/v1.1.0").object.sha == repo.get_branch("main").commit.sha
    with pytest.raises(github.UnknownObjectException):
        repo.get_release("v9.9.9")


def test_git_data_api_builds_a_commit_without_a_clone(gh: GitHubStandIn, plugin_repo: str) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo(plugin_repo)
    head = repo.get_git_ref("heads/main")
    base = repo.get_git_commit(head.object.sha)
    blob = repo.create_git_blob("registry entry\n", "utf-8")
    element = github.InputGitTreeElement("registry/plugins/weather.json", "100644", "blob", sha=blob.sha)
    tree = repo.create_git_tree([element], base.tree)
    commit = repo.create_git_commit("Add weather", tree, [base])
    head.edit(commit.sha)
    assert repo.get_branch("main").commit.sha == commit.sha
    content = repo.get_contents("registry/plugins/weather.json")
    assert not isinstance(content, list)
    assert content.decoded_content == b"registry entry\n"
    assert {r.ref for r in repo.get_git_matching_refs("heads/")} == {"refs/heads/main"}
    with pytest.raises(github.GithubException) as not_ff:
        head.edit(base.sha)
    assert not_ff.value.status == 422
    head.edit(base.sha, force=True)
    assert repo.get_branch("main").commit.sha == base.sha


def test_release_assets_upload_and_download(gh: GitHubStandIn, plugin_repo: str, tmp_path: Path) -> None:
    repo = pygithub(gh, gh.token_for("alice")).get_repo(plugin_repo)
    release = repo.create_git_release("v1.0.0", "Weather 1.0.0", "")
    package = tmp_path / "weather-1.0.0.zip"
    package.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    asset = release.upload_asset(str(package), label="Plugin package", content_type="application/zip")
    assert (asset.name, asset.size, asset.label) == ("weather-1.0.0.zip", 22, "Plugin package")
    assert [a.name for a in repo.get_release("v1.0.0").get_assets()] == ["weather-1.0.0.zip"]
    download = requests.get(asset.browser_download_url, timeout=10)
    assert download.status_code == 200 and download.content == package.read_bytes()
    assert repo.get_release_asset(asset.id).download_count == 1
    asset.delete_asset()
    assert list(repo.get_release("v1.0.0").get_assets()) == []
