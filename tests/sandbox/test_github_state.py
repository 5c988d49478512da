"""State under concurrency, deterministic output with a step clock, and large pushes."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from wxsandbox.github import GitHubStandIn, StepClock
from wxsandbox.github.testing import RecordingSink


def test_concurrent_writers_get_distinct_numbers(tmp_path: Path) -> None:
    sink = RecordingSink()
    with GitHubStandIn(tmp_path / "gh", event_sink=sink) as gh:
        tokens = [gh.add_user(f"user{n}") for n in range(4)]
        gh.create_repo("user0", "busy")
        url = f"{gh.api_url}/repos/user0/busy/issues"

        def open_and_comment(index: int) -> int:
            token = tokens[index % len(tokens)]
            number = int(requests.post(url, json={"title": f"t{index}"}, timeout=30,
                                       headers={"Authorization": f"token {token}"}).json()["number"])
            requests.post(f"{url}/{number}/comments", json={"body": "x"}, timeout=30,
                          headers={"Authorization": f"token {token}"})
            return number

        with ThreadPoolExecutor(max_workers=8) as pool:
            numbers = list(pool.map(open_and_comment, range(40)))
        assert sorted(numbers) == list(range(1, 41))
        assert len(sink.named("issues", "opened")) == 40 and len(sink.named("issue_comment")) == 40
        assert len({e.delivery_id for e in sink.events}) == 80


def _run(root: Path) -> tuple[str, str]:
    with GitHubStandIn(root, clock=StepClock()) as gh:
        token = gh.add_user("alice", name="Alice", email="alice@example.com", token="ghp_fixed")
        gh.create_repo("alice", "plugin")
        source = root.parent / f"{root.name}-src"
        source.mkdir()
        (source / "plugin.json").write_text("{}\n")
        sha = gh.push_directory("alice/plugin", source, tag="v1.0.0")
        issue = requests.post(f"{gh.api_url}/repos/alice/plugin/issues", json={"title": "t"}, timeout=10,
                              headers={"Authorization": f"token {token}"}).json()
        stable = {key: value for key, value in issue.items() if "url" not in key and key not in ("user", "reactions")}
        return sha, json.dumps(stable, sort_keys=True)


def test_a_step_clock_makes_runs_reproducible(tmp_path: Path) -> None:
    assert _run(tmp_path / "one") == _run(tmp_path / "two")


def test_pushes_over_a_megabyte_arrive_chunked(tmp_path: Path) -> None:
    with GitHubStandIn(tmp_path / "gh") as gh:
        token = gh.add_user("alice")
        gh.create_repo("alice", "big")
        work = tmp_path / "work"
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x",
               "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@x"}
        subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True, env=env)
        (work / "blob.bin").write_bytes(os.urandom(3 * 1024 * 1024))
        subprocess.run(["git", "add", "."], cwd=work, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", "big"], cwd=work, check=True, env=env)
        remote = gh.git_url("alice/big").replace("http://", f"http://alice:{token}@")
        pushed = subprocess.run(["git", "-c", "http.postBuffer=65536", "push", "-q", remote, "main"], cwd=work,
                                env=env, capture_output=True, text=True, timeout=120, check=False)
        assert pushed.returncode == 0, pushed.stderr
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True, text=True, check=True)
        branch = requests.get(f"{gh.api_url}/repos/alice/big/branches/main", timeout=10).json()
        assert branch["commit"]["sha"] == head.stdout.strip()
