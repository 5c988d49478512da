"""``make demo`` end to end: every lifecycle step succeeds and the four artefacts are left behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.compat.strict_client import load_registry
from wxsandbox import browser, demo

pytestmark = pytest.mark.act


def test_demo_runs_the_whole_lifecycle(tmp_path: Path) -> None:
    out = tmp_path / "demo"

    before = {name: os.environ.get(name) for name in demo.RUN_ENVIRONMENT}
    status = demo.run(out, tmp_path / "work")
    # Later tests of this process must not ask the demo's stopped stand-ins (a leaked WXREG_PYPI_URL did).
    assert {name: os.environ.get(name) for name in demo.RUN_ENVIRONMENT} == before

    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert status == 0, transcript
    screenshots = [] if browser.missing_reason() else ["catalog-index.png", "catalog-plugin-en.png",
                                                       "catalog-plugin.png"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["pr.diff", "registry.json", "review-comment.md", "transcript.txt", *screenshots])
    for step in ("review.yml", "approved", "closed", "mirror.yml:success", "304", "from Gitee", "digest verified",
                 "GitHub Pages application/json", "pages.yml:success"):
        assert step in transcript, step
    # The signed registry (issue 13): signed publish, verified refresh, the revocation, the tampered mirror.
    for step in ("sign.yml:success", "on GitHub and Gitee: 相同 / same bytes", "signature verified",
                 "0.9.0 revoked (block)", "installed, revoked (block)", "new client: 已拒绝来自 Gitee 的任意注册表",
                 "refused arbitrary registry"):
        assert step in transcript, step
    kept, dropped = load_registry(json.loads((out / "registry.json").read_text(encoding="utf-8")))
    assert list(kept) == ["daily_quote_reply"] and dropped == []
    assert "registry/plugins/daily_quote_reply.json" in (out / "pr.diff").read_text(encoding="utf-8")
    assert "wxreg-review:v1" in (out / "review-comment.md").read_text(encoding="utf-8")
