"""The issue form and its config: valid for GitHub, bilingual, ASCII ids, the right label."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wxreg.review.form import load_form
from wxreg.review.policy import FORM_PATH

BIN = Path(sys.executable).parent
TEMPLATES = FORM_PATH.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("path", "schema"),
    [(FORM_PATH, "vendor.github-issue-forms"), (TEMPLATES / "config.yml", "vendor.github-issue-config")],
)
def test_github_accepts_the_yaml(path: Path, schema: str) -> None:
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_fields_have_ascii_ids_and_bilingual_labels_chinese_first() -> None:
    form = load_form()
    seen = set()
    for field in form.fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", field.id), field.id
        assert field.id not in seen
        seen.add(field.id)
        zh, sep, en = field.label.partition(" / ")
        assert sep and CJK.search(zh) and en.isascii(), field.label
    required = {
        "plugin_name", "plugin_id", "version", "release_tag", "description", "category", "github_repo",
        "gitee_repo", "author_name", "author_github", "author_email", "license", "min_wxauto_version",
        "max_wxauto_version", "python_version", "supported_os", "dependencies", "permissions", "features",
        "screenshots", "demo_video", "documentation", "checklist",
    }  # fmt: skip
    assert required <= seen


def test_label_is_plugin_submission_never_approved() -> None:
    form = load_form()
    assert form.labels == ("plugin-submission",)


def test_category_and_permission_options_match_the_registry() -> None:
    form = load_form()
    categories = [o.value for o in form.field("category").options]
    assert categories == ["ai_platform", "automation", "integration", "utility", "entertainment", "other"]
    assert len(form.field("permissions").options) == 14


def test_blank_issues_off_and_contributing_linked() -> None:
    config = yaml.safe_load((TEMPLATES / "config.yml").read_text(encoding="utf-8"))
    assert config["blank_issues_enabled"] is False
    assert any("CONTRIBUTING" in link["url"] for link in config["contact_links"])
