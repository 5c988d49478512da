"""The README's worked sandbox session, run as it is against a real ``wxsandbox up``: curl, git, the issue form
(``submit-form``), the review workflow through act, PyGithub, ``/actions/runs`` and the line ``up`` prints per
run. Also: labels given at issue creation are kept only for users with push access, as GitHub documents."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.firsthour import ROOT, WXSANDBOX, assert_no_traceback

from wxsandbox.world import World

pytestmark = pytest.mark.act


class Up:
    def __init__(self, root: Path) -> None:
        self.state = root / "state.json"
        self.lines: list[str] = []
        env = {**os.environ, "WXSANDBOX_STATE": str(self.state)}
        self.process = subprocess.Popen([WXSANDBOX, "up", "--root", str(root / "world")], env=env, cwd=root,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r}:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    sandbox = Up(tmp_path)
    try:
        sandbox.wait_for(r"sandbox is up", 120)
        yield sandbox
    finally:
        sandbox.stop()


def session_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- sandbox-session:start -->\n```sh\n(.*?)```\n<!-- sandbox-session:end -->", readme,
                      re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_readme_session_runs_as_written(up: Up) -> None:
    assert "registry/config.json 已指向本沙箱" in "\n".join(up.lines)  # bilingual summary
    done = subprocess.run(["bash", "-e", "-c", session_block()], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False,
                          # The block's ``mktemp -d`` goes to the sandbox's own folder, removed with it.
                          env={**os.environ, "WXSANDBOX_STATE": str(up.state), "TMPDIR": str(up.state.parent)})
    assert_no_traceback(done)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "wxauto/registry"
    assert "通过 / PASSED" in out[1]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/wxauto/registry/issues/\d+", out[2])
    assert re.fullmatch(r"#\d+: \[.*'plugin-submission'.*'review-passed'.*\]", out[3]), out[3]
    assert "('.github/workflows/review.yml', 'success')" in out[4]
    line = up.wait_for(r"run #\d+ review\.yml \(issues\): success", 60)
    log = Path(line.rsplit("log: ", 1)[1])
    assert log.is_file() and log.read_text(encoding="utf-8")


def test_labels_at_issue_creation_need_push_access(tmp_path: Path) -> None:
    with World(tmp_path / "world", run_workflows=False) as world:
        for login, kept in (("alice", False), ("tom", False), ("maria", True)):
            repo = world.client(login).get_repo(world.registry)
            issue = repo.create_issue(f"by {login}", labels=["bug"])
            assert ([label.name for label in issue.labels] == ["bug"]) is kept, login


def test_a_submission_that_lost_its_label_fails_loudly_instead_of_never_being_reviewed(world: World) -> None:
    assert world.actions is not None
    # Through the API, alice's labels are dropped (no push access): the form's label never arrives.
    issue = world.client("alice").get_repo(world.registry).create_issue(
        "[插件提交 / Plugin] hello", body="### 插件名称 / Plugin name\n\nhello\n", labels=["plugin-submission"])
    assert issue.labels == []
    assert world.actions.wait_idle(300)
    runs = [run for run in world.actions.runs_for(workflow="review.yml", event="issues")
            if run.event.payload.get("issue", {}).get("number") == issue.number]
    assert len(runs) == 1, [(run.workflow, run.event.name, run.conclusion) for run in world.actions.runs]
    [run] = runs
    assert run.jobs["label-missing"].conclusion == "failure", run.log
    assert run.jobs["analyse"].conclusion == "skipped"
    assert "wxreg doctor --fix" in run.log
