"""``wxreg review`` as a plugin author runs it: the example plugin passes as it is, output for people by
default, Markdown/JSON on request, and our tools' failures are never the plugin's fault (exit 2, one line)."""

from __future__ import annotations

import json
import re
import stat
import sys
from pathlib import Path

from tests.support.firsthour import EXAMPLE, ROOT, WXREG, assert_no_traceback, git, plugin_repo, run

from wxreg.review import authorguide


def example_copy(tmp_path: Path) -> Path:
    """The example plugin's files in a directory of their own, to change before committing."""
    source = tmp_path / "src"
    source.mkdir()
    for item in EXAMPLE.iterdir():
        (source / item.name).write_bytes(item.read_bytes())
    return source


def plugin_with_a_dependency(tmp_path: Path) -> Path:
    """The example plugin pinning one real dependency, committed and tagged v1.0.0."""
    source = example_copy(tmp_path)
    manifest = json.loads((EXAMPLE / "plugin.json").read_text(encoding="utf-8"))
    manifest["dependencies"] = ["packaging==24.1"]
    (source / "plugin.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (source / "requirements.txt").write_text("packaging==24.1\n", encoding="utf-8")
    return plugin_repo(tmp_path / "deps", source)


def test_the_example_plugin_passes_as_it_is_in_every_format(tmp_path: Path) -> None:
    repo = plugin_repo(tmp_path / "hello")
    text = run([WXREG, "review", ".", "--tag", "v1.0.0"], cwd=repo)
    assert text.returncode == 0, text.stdout + text.stderr
    assert "通过 / PASSED" in text.stdout and "hello_reply v1.0.0" in text.stdout
    assert "&gt;" not in text.stdout and "<!--" not in text.stdout and "\\_" not in text.stdout
    as_json = json.loads(run([WXREG, "review", str(repo), "--tag", "v1.0.0", "--format", "json"],
                             cwd=tmp_path).stdout)
    assert as_json["passed"] is True and as_json["findings"] == sorted(as_json["findings"], key=lambda f: (
        {"error": 0, "warning": 1, "info": 2}[f["severity"]], f["id"], f["path"] or "", f["line"] or 0,
        f["message_en"]))
    markdown = run([WXREG, "review", str(repo), "--tag", "v1.0.0", "--format", "markdown"], cwd=tmp_path).stdout
    assert markdown.startswith("<!-- wxreg-review:v1 -->") and "wxreg review . --tag NEW_TAG" in markdown


def test_without_a_tag_head_is_reviewed_as_the_manifest_version_and_the_repository_is_untouched(
        tmp_path: Path) -> None:
    repo = plugin_repo(tmp_path / "hello", tag=None)
    done = run([WXREG, "review", "."], cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "v1.0.0" in done.stderr and git(repo, "tag", "--list") == ""
    assert "already exists" not in done.stderr
    assert "repository : .\n" in done.stdout and "wxreg-head-" not in done.stdout  # what the author named
    # An author who installed the reviewer has no CONTRIBUTING.md: the footer links the registry's own.
    config = json.loads((ROOT / "registry" / "config.json").read_text(encoding="utf-8"))["github"]
    assert f"/{config['owner']}/{config['repo']}/blob/{config['branch']}/CONTRIBUTING.md" in done.stdout
    # A version not raised since the last tag: HEAD is reviewed, and the author is told the tag is taken.
    git(repo, "tag", "v1.0.0")
    git(repo, "commit", "--allow-empty", "-q", "-m", "more")
    done = run([WXREG, "review", "."], cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tag v1.0.0 already exists at another commit" in done.stderr and "标签 v1.0.0 已存在" in done.stderr


def test_a_failed_review_says_why_and_writes_the_job_summary(tmp_path: Path) -> None:
    source = example_copy(tmp_path)
    (source / "main.py").write_text((EXAMPLE / "main.py").read_text(encoding="utf-8")
                                    + "\nimport subprocess\n\n\ndef run() -> None:\n    subprocess.run(['ls'])\n",
                                    encoding="utf-8")
    repo = plugin_repo(tmp_path / "bad", source)
    summary = tmp_path / "summary.md"
    done = run([WXREG, "review", ".", "--tag", "v1.0.0"], cwd=repo, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "原因 / why:" in done.stdout and "any error fails the review" in done.stdout
    assert "WXR-P001" in done.stdout and "system.command" in done.stdout
    assert "WXR-P001" in summary.read_text(encoding="utf-8")


def test_a_pre_release_version_is_refused_with_a_message_people_can_read(tmp_path: Path) -> None:
    source = example_copy(tmp_path)
    manifest = json.loads((EXAMPLE / "plugin.json").read_text(encoding="utf-8"))
    manifest["version"] = "1.3.0rc1"
    (source / "plugin.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    repo = plugin_repo(tmp_path / "pre", source, tag="v1.3.0rc1")
    done = run([WXREG, "review", ".", "--tag", "v1.3.0rc1", "--format", "json"], cwd=repo)
    assert done.returncode == 1
    messages = [f["message"] for f in json.loads(done.stdout)["findings"] if f["id"] == "WXR-M003"]
    assert messages and all("[0-9]" not in m and "^" not in m for m in messages), messages
    assert any("2 到 4 段数字" in m and "2 to 4" in m for m in messages), messages


def test_a_manifest_error_keeps_each_language_on_its_line_and_lists_every_allowed_value(tmp_path: Path) -> None:
    # A permission copied as "a | b" from a fix: the Chinese line is Chinese, the English line English, and the
    # fix lists all fourteen permissions, none cut off.
    source = example_copy(tmp_path)
    manifest = json.loads((EXAMPLE / "plugin.json").read_text(encoding="utf-8"))
    manifest["permissions"] = ["network.http | network.https"]
    (source / "plugin.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    repo = plugin_repo(tmp_path / "literal", source)
    done = run([WXREG, "review", ".", "--tag", "v1.0.0", "--format", "json"], cwd=repo)
    assert done.returncode == 1
    found = [f for f in json.loads(done.stdout)["findings"] if f["id"] == "WXR-M003"]
    assert found, done.stdout
    zh, en = found[0]["message_zh"], found[0]["message_en"]
    assert "取值不允许" in zh and "value not allowed" not in zh
    assert "value not allowed" in en and "取值不允许" not in en
    assert found[0]["fix"].endswith('"system.registry"') and "…" not in found[0]["fix"]
    assert "WXR-P002" not in done.stdout  # not "declared but unused" beside "not a permission"


def test_a_missing_scanner_is_ours_exit_2_with_the_install_line(tmp_path: Path) -> None:
    repo = plugin_repo(tmp_path / "hello")
    done = run([WXREG, "review", ".", "--tag", "v1.0.0", "--scanner-python", str(tmp_path / "no-python")], cwd=repo)
    assert done.returncode == 2
    assert_no_traceback(done)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and all("install the reviewer with pip install git+https://" in line for line in lines)
    # pip-audit runs in the reviewer's own interpreter; only bandit runs with the scanner Python.
    assert [line.split("the scanner ")[1].split(" ")[0] for line in lines] == ["bandit"]
    assert done.stdout == ""


def test_a_scanner_that_crashes_mid_review_is_ours_not_a_finding(tmp_path: Path) -> None:
    # A Python that finds every scanner for the preflight (`python -c <probe> MODULES`: nothing absent),
    # then fails every real scan.
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\n[ "$1" = -c ] && exit 0\necho boom >&2\nexit 3\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    repo = plugin_repo(tmp_path / "hello")
    done = run([WXREG, "review", ".", "--tag", "v1.0.0", "--scanner-python", str(fake)], cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert_no_traceback(done)
    assert "not the plugin's fault" in done.stderr and done.stdout == ""


def test_an_unreachable_vulnerability_service_is_ours_with_the_url(tmp_path: Path) -> None:
    repo = plugin_with_a_dependency(tmp_path)
    dead = "http://127.0.0.1:9/v1/query"
    done = run([WXREG, "review", ".", "--tag", "v1.0.0", "--osv-url", dead], cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert_no_traceback(done)
    assert f"could not reach the vulnerability service at {dead}" in done.stderr
    assert "re-run, or pass --osv-url" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_an_unreachable_package_index_is_ours_with_the_url(tmp_path: Path) -> None:
    # The index check fails closed (WXR-D010): for the author that is our side, exit 2 and what to do.
    repo = plugin_with_a_dependency(tmp_path)
    dead = "http://127.0.0.1:9"
    for how in (["--pypi-url", dead], []):
        done = run([WXREG, "review", ".", "--tag", "v1.0.0", *how], cwd=repo,
                   env={} if how else {"WXREG_PYPI_URL": dead})
        assert done.returncode == 2, done.stdout + done.stderr
        assert_no_traceback(done)
        lines = done.stderr.strip().splitlines()
        assert lines == [line for line in lines if line.startswith("无法审核 / could not review: ")]
        assert any(f"could not check the dependencies on the package index at {dead} (ConnectionError)" in line
                   and "pass --pypi-url" in line and "软件包索引" in line for line in lines), lines
        assert done.stdout == ""


def test_a_python_without_guarddog_is_named_alone_when_the_policy_runs_it(tmp_path: Path) -> None:
    # A Python that has bandit but not GuardDog: `-m guarddog` fails as a missing module does, and the look-up
    # that names missing scanners (`python -c <probe> MODULES` prints the absent ones) finds no guarddog;
    # anything else runs the real interpreter. GuardDog is off by default, so only a policy that turns it on
    # (`engines.guarddog`) needs it.
    real = Path(sys.executable)
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = -c ]; then found=$("{real}" "$@") || exit $?; echo "$found guarddog"; '
                    f'exit 0; fi\nif [ "$2" = guarddog ]; then echo "No module named guarddog" >&2; exit 1; fi\n'
                    f'exec "{real}" "$@"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    policy = json.loads((ROOT / "registry" / "review-policy.json").read_text(encoding="utf-8"))
    policy["engines"] = {"guarddog": True}
    (tmp_path / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
    repo = plugin_repo(tmp_path / "hello")
    done = run([WXREG, "review", ".", "--tag", "v1.0.0", "--scanner-python", str(fake),
                "--policy", str(tmp_path / "policy.json")], cwd=repo)  # fmt: skip
    assert done.returncode == 2 and done.stdout == "", done.stdout + done.stderr
    assert_no_traceback(done)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "the scanner GuardDog does not run" in lines[0] and "审核工具 GuardDog" in lines[0]


def test_contributing_carries_the_example_plugin_verbatim_and_fresh_generated_tables() -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for name in ("plugin.json", "main.py"):
        block = re.search(rf"<!-- example:{re.escape(name)}:start -->\n```\w+\n(.*?)```\n<!-- example:", contributing,
                          re.DOTALL)
        assert block is not None, name
        assert block.group(1) == (EXAMPLE / name).read_text(encoding="utf-8"), f"CONTRIBUTING's {name} differs"
    assert authorguide.update(contributing) == contributing, "run: python -m wxreg.review.authorguide"
    # The permission table lists the client's 14, each with its meaning.
    table = contributing.split("<!-- permissions:start -->", 1)[1].split("<!-- permissions:end -->", 1)[0]
    assert len(authorguide.client_permissions()) == 14
    assert all(f"| `{name}` |" in table for name in authorguide.client_permissions())
