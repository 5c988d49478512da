"""Issue forms as the browser submits them: rendering, required fields, CRLF, labels for anyone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from wxsandbox.github import GitHubStandIn
from wxsandbox.github.issueforms import FormError, load_form, render_issue_form
from wxsandbox.github.testing import RecordingSink, pygithub

FORM = """
name: Submit
title: "[plugin] "
labels: [plugin-submission, needs-review]
body:
  - type: markdown
    attributes: {value: "Thanks!"}
  - type: input
    id: plugin_id
    attributes: {label: Plugin ID}
    validations: {required: true}
  - type: input
    id: homepage
    attributes: {label: Homepage}
  - type: textarea
    id: description
    attributes: {label: Description}
  - type: textarea
    id: dependencies
    attributes: {label: Dependencies, render: text}
  - type: dropdown
    id: category
    attributes: {label: Category, options: [ai_platform, utility, other]}
  - type: dropdown
    id: os
    attributes: {label: OS, multiple: true, options: [Windows, Linux, Darwin]}
  - type: checkboxes
    id: permissions
    attributes:
      label: Permissions
      options: [{label: network.http}, {label: file.read}]
  - type: checkboxes
    id: terms
    attributes:
      label: Terms
      options: [{label: I own this plugin, required: true}]
"""


def test_rendering_matches_github() -> None:
    rendered = render_issue_form(FORM, {
        "plugin_id": "weather", "description": "Line one\nLine two", "dependencies": "requests==2.31.0",
        "os": ["Linux", "Windows"], "permissions": ["file.read"], "terms": ["I own this plugin"],
    }, title="[plugin] weather")
    assert rendered.title == "[plugin] weather"
    assert rendered.labels == ["plugin-submission", "needs-review"]
    assert rendered.body == (
        "### Plugin ID\n\nweather\n\n"
        "### Homepage\n\n_No response_\n\n"
        "### Description\n\nLine one\r\nLine two\n\n"
        "### Dependencies\n\n```text\r\nrequests==2.31.0\r\n```\n\n"
        "### Category\n\nNone\n\n"
        "### OS\n\nWindows, Linux\n\n"
        "### Permissions\n\n- [ ] network.http\n- [X] file.read\n\n"
        "### Terms\n\n- [X] I own this plugin"
    )


def test_the_web_ui_enforces_what_the_api_does_not() -> None:
    with pytest.raises(FormError, match="Plugin ID: required"):
        render_issue_form(FORM, {"terms": ["I own this plugin"]})
    with pytest.raises(FormError, match="must be ticked"):
        render_issue_form(FORM, {"plugin_id": "x"})
    with pytest.raises(FormError, match="not an option"):
        render_issue_form(FORM, {"plugin_id": "x", "terms": ["I own this plugin"], "category": "games"})
    with pytest.raises(FormError, match="one option only"):
        render_issue_form(FORM, {"plugin_id": "x", "terms": ["I own this plugin"], "category": ["utility", "other"]})
    with pytest.raises(FormError, match="no form element"):
        render_issue_form(FORM, {"plugin_id": "x", "terms": ["I own this plugin"], "nope": "1"})
    lax = render_issue_form(FORM, {}, enforce_required=False, crlf=False)
    assert "### Plugin ID\n\n_No response_" in lax.body


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(tmp_path / "gh", event_sink=RecordingSink()) as stand_in:
        yield stand_in


def test_submitting_the_registry_form_applies_its_labels_for_anyone(gh: GitHubStandIn, tmp_path: Path) -> None:
    sink = RecordingSink()
    gh.set_event_sink(sink)
    gh.add_user("maintainer")
    gh.add_user("alice")
    gh.create_repo("maintainer", "plugin-registry")
    source = tmp_path / "registry"
    shutil.copytree(Path(__file__).resolve().parents[2] / ".github" / "ISSUE_TEMPLATE",
                    source / ".github" / "ISSUE_TEMPLATE")
    gh.push_directory("maintainer/plugin-registry", source)
    form = render_issue_form(source / ".github" / "ISSUE_TEMPLATE" / "plugin-submission.yml", {}, crlf=False,
                             enforce_required=False)
    required = [line.removeprefix("### ") for line in form.body.splitlines() if line.startswith("### ")]
    assert required, "the registry form renders sections"
    answers: dict[str, object] = {
               "plugin_name": "天气", "plugin_id": "weather", "version": "1.0.0", "release_tag": "v1.0.0",
               "description": "Weather\nreports", "category": "utility",
               "github_repo": f"{gh.url}/alice/weather", "author_name": "Alice", "author_github": "alice",
               "author_email": "alice@example.com", "license": "MIT", "min_wxauto_version": "1.0.0",
               "python_version": ">=3.8", "supported_os": ["Windows"]}
    for element in load_form(source / ".github" / "ISSUE_TEMPLATE" / "plugin-submission.yml")["body"]:
        if element.get("type") == "checkboxes":  # tick what the form requires, whatever it says today
            boxes = element["attributes"]["options"]
            answers[element["id"]] = [box["label"] for box in boxes if box.get("required")]
    try:
        number = gh.submit_issue_form("maintainer/plugin-registry", "plugin-submission.yml", answers, login="alice",
                                      title="[插件提交 / Plugin] weather")
    except FormError as error:  # the form gained a required element this test does not know about
        pytest.fail(f"update the answers: {error}")
    issue = pygithub(gh, gh.token_for("alice")).get_repo("maintainer/plugin-registry").get_issue(number)
    assert [label.name for label in issue.labels] == ["plugin-submission"]  # alice has no triage, yet labelled
    assert "### 插件 ID / Plugin ID\n\nweather" in issue.body
    assert "Weather\r\nreports" in issue.body
    assert [(e.name, e.payload["action"]) for e in sink.events[-2:]] == [("issues", "opened"), ("issues", "labeled")]
