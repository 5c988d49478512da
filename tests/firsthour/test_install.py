"""``pip install git+https://<registry>`` gives a working ``wxreg review``: a wheel built from this checkout,
installed into a fresh venv, reviews the example plugin from a directory outside the repository. The wheel
must carry the registry data the reviewer reads (policy, schemas, issue form, listed plugins).

Offline: the wheel is built without build isolation and installed with ``--no-deps``; the fresh venv sees
the test environment's dependencies through a ``.pth`` line (its site-packages, not its editable finder,
so ``wxreg`` itself can only come from the wheel)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.support.firsthour import ROOT, plugin_repo, run


def test_a_wheel_from_this_checkout_reviews_a_plugin_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(dist), str(ROOT)], check=True, capture_output=True, timeout=300)
    [wheel] = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("wxreg/_data/registry/review-policy.json", "wxreg/_data/schemas/plugin-manifest.schema.json",
                   "wxreg/_data/.github/ISSUE_TEMPLATE/plugin-submission.yml", "wxreg/_data/registry/removed.json",
                   "wxreg/review/data/bandit.yaml"):
        assert needed in names, needed

    venv = tmp_path / "venv"
    # No pip of its own (ensurepip takes seconds): this environment's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    where = subprocess.run([str(python), "-c", "import wxreg.config as c; print(c.__file__, c.REPO_ROOT)"],
                           check=True, capture_output=True, text=True).stdout
    assert str(venv) in where and "_data" in where and str(ROOT) not in where, where

    repo = plugin_repo(tmp_path / "outside" / "hello")
    done = run([str(venv / "bin" / "wxreg"), "review", ".", "--tag", "v1.0.0"], cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hello_reply v1.0.0" in done.stdout and "通过 / PASSED" in done.stdout

    # An operator with the installed copy, in their fork: `wxreg validate` checks the fork, not the copy.
    import shutil

    fork = tmp_path / "fork"
    shutil.copytree(ROOT / "registry", fork / "registry")
    assert "wxreg/_data/registry/plugins/.gitkeep" in names  # the folder exists while no plugin is listed
    done = run([str(venv / "bin" / "wxreg"), "validate"], cwd=fork)
    assert done.returncode == 0 and str(fork / "registry") in done.stdout, done.stdout + done.stderr
    # Every command with --root works on the fork alike: a fork of its own owner builds, then publishes, its own
    # registry.json (not the copy the wheel carries).
    import json

    config = json.loads((fork / "registry" / "config.json").read_text(encoding="utf-8"))
    config["github"]["owner"] = "another-owner"
    (fork / "registry" / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")
    for command in (["build"], ["site", "--out", "site"]):
        done = run([str(venv / "bin" / "wxreg"), *command], cwd=fork)
        assert done.returncode == 0, done.stdout + done.stderr
    built = (fork / "registry" / "registry.json").read_bytes()
    assert b"another-owner" in built and built != (ROOT / "registry" / "registry.json").read_bytes()
    assert (fork / "site" / "registry" / "registry.json").read_bytes() == built
