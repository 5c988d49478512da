"""Reading a plugin at a tag: git plumbing only, limits, links, submodules, tags, URL rules, safe clone."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.plugins import git, make_repo, publish

from wxreg.digest import dirhash_git_commit
from wxreg.review.policy import Limits
from wxreg.review.source import CloneSource, LocalGitSource, SourceError, check_url


def finding_ids(tree: object) -> set[str]:
    return {f.id for f in tree.findings}  # type: ignore[attr-defined]


def test_reads_the_tag_without_checkout_and_pins_commit_and_digest(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p")
    (repo / "main.py").write_text("changed after tagging\n")  # the work tree is not what is reviewed
    tree = LocalGitSource(repo).read("v1.0.0")
    assert tree.commit == git(repo, "rev-parse", "v1.0.0^{commit}")
    assert tree.digest == dirhash_git_commit(repo, tree.commit)
    assert b"changed after tagging" not in tree.get("main.py").data  # type: ignore[union-attr]
    assert tree.findings == ()


def test_annotated_tag_is_peeled(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p", tag=None)
    git(repo, "tag", "-a", "v1.0.0", "-m", "release")
    tree = LocalGitSource(repo).read("v1.0.0")
    assert tree.commit == git(repo, "rev-parse", "HEAD")


def test_missing_tag_is_a_finding(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p")
    tree = LocalGitSource(repo).read("v9.9.9")
    assert tree.commit is None and finding_ids(tree) == {"WXR-G002"}


@pytest.mark.parametrize("tag", ["--upload-pack=touch /tmp/x", "../v1", "v1 v2", "-v1", "v1..v2", "v1.lock"])
def test_hostile_tag_names_resolve_to_nothing(tmp_path: Path, tag: str) -> None:
    repo = make_repo(tmp_path / "p")
    assert LocalGitSource(repo).read(tag).commit is None


def test_moved_tag_against_the_pinned_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p")
    first = git(repo, "rev-parse", "v1.0.0")
    (repo / "main.py").write_text("import os\nos.system('id')\n")
    git(repo, "commit", "-qam", "sneaky")
    git(repo, "tag", "-f", "v1.0.0")
    tree = LocalGitSource(repo).read("v1.0.0", expected_commit=first)
    assert "WXR-G003" in finding_ids(tree)


def test_symlink_out_of_the_tree_is_recorded_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    repo = make_repo(tmp_path / "p", tag=None)
    (repo / "leak.txt").symlink_to(secret)
    (repo / "passwd").symlink_to("../../../../etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links")
    git(repo, "tag", "v1.0.0")
    tree = LocalGitSource(repo).read("v1.0.0")
    links = [f for f in tree.findings if f.id == "WXR-G004"]
    assert {f.path for f in links} == {"leak.txt", "passwd"}
    assert tree.get("leak.txt") is None and tree.get("passwd") is None
    assert all(b"TOP SECRET" not in f.data for f in tree.files)


def test_submodule_is_recorded_not_fetched(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p", tag=None)
    sha = git(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
    git(repo, "commit", "-qm", "submodule")
    git(repo, "tag", "v1.0.0")
    tree = LocalGitSource(repo).read("v1.0.0")
    assert [f.path for f in tree.findings if f.id == "WXR-G005"] == ["vendor/lib"]


def test_too_many_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p", {f"data/f{i}.txt": str(i) for i in range(60)})
    tree = LocalGitSource(repo, limits=Limits(max_files=50)).read("v1.0.0")
    assert "WXR-G006" in finding_ids(tree) and tree.digest is None and tree.files == ()


def test_huge_file_and_huge_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p", {"big.dat": b"\0" * 300_000, "a.txt": "a" * 90_000, "b.txt": "b" * 90_000})
    tree = LocalGitSource(repo, limits=Limits(max_file_bytes=200_000)).read("v1.0.0")
    assert [f.path for f in tree.findings if f.id == "WXR-G007"] == ["big.dat"]
    assert tree.digest is None  # incomplete trees are never pinned
    tree = LocalGitSource(repo, limits=Limits(max_total_bytes=100_000, max_file_bytes=10**6)).read("v1.0.0")
    assert "WXR-G008" in finding_ids(tree)


def test_not_a_repository_cannot_be_reviewed(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        LocalGitSource(tmp_path).read("v1.0.0")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://github.com/owner/repo", True),
        ("https://github.com/owner/repo.git", True),
        ("https://github.com/owner/repo/", True),
        ("http://github.com/owner/repo", False),
        ("https://github.com.evil.io/owner/repo", False),
        ("https://user:pw@github.com/owner/repo", False),
        ("https://github.com/owner", False),
        ("https://github.com/owner/repo/tree/main", False),
        ("https://github.com/owner/repo?x=1", False),
        ("https://github.com/../repo", False),
        ("file:///etc/passwd", False),
        ("ext::sh -c touch% /tmp/pwned", False),
        ("--upload-pack=touch /tmp/x", False),
        ("https://gitlab.com/owner/repo", False),
    ],
)
def test_url_rules(url: str, ok: bool) -> None:
    assert (check_url(url, ("https://github.com/",)) is not None) is ok


def test_extra_prefix_by_configuration() -> None:
    assert check_url("http://127.0.0.1:8080/owner/repo", ("https://github.com/",)) is None
    assert check_url("http://127.0.0.1:8080/owner/repo", ("https://github.com/", "http://127.0.0.1:8080/"))


def test_disallowed_url_is_a_finding_not_a_clone() -> None:
    tree = CloneSource("https://evil.example/owner/repo").read("v1.0.0")
    assert finding_ids(tree) == {"WXR-G001"} and tree.commit is None


def test_clone_over_http_pins_the_same_commit_and_digest(git_http: tuple[str, Path], tmp_path: Path) -> None:
    url, root = git_http
    work = make_repo(tmp_path / "work")
    publish(root, work)
    prefixes = ("https://github.com/", url + "/")
    tree = CloneSource(f"{url}/author/plugin", prefixes).read("v1.0.0")
    local = LocalGitSource(work).read("v1.0.0")
    assert tree.findings == ()
    assert tree.commit == local.commit and tree.digest == local.digest
    assert CloneSource(f"{url}/author/plugin", prefixes).read("v2.0.0").commit is None


def test_clone_notices_a_tag_moved_since_the_last_review(git_http: tuple[str, Path], tmp_path: Path) -> None:
    url, root = git_http
    work = make_repo(tmp_path / "work")
    first = git(work, "rev-parse", "v1.0.0")
    bare = publish(root, work)
    (work / "main.py").write_text("print('moved')\n")
    git(work, "commit", "-qam", "moved")
    git(work, "tag", "-f", "v1.0.0")
    git(work, "push", "-q", "-f", str(bare), "v1.0.0")
    tree = CloneSource(f"{url}/author/plugin", (url + "/",)).read("v1.0.0", expected_commit=first)
    assert "WXR-G003" in finding_ids(tree)
