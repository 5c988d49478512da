"""What GitHub writes for a submission form: a good submission's values and the rendered issue body."""

from __future__ import annotations

from typing import Any

from wxreg.review.form import load_form

GOOD: dict[str, Any] = {
    "plugin_name": "每日一句 Daily Quote",
    "plugin_id": "daily_quote_reply",
    "version": "1.0.0",
    "release_tag": "v1.0.0",
    "description": "收到「每日一句」时回复一句名言。\n\nReplies with a quote.",
    "category": "entertainment",
    "github_repo": "https://github.com/example-author/daily-quote-reply",
    "gitee_repo": None,
    "author_name": "示例作者",
    "author_github": "example-author",
    "author_email": "author@example.com",
    "license": "MIT",
    "min_wxauto_version": "1.0.0",
    "max_wxauto_version": "2.0.0",
    "python_version": ">=3.8",
    "supported_os": ["Windows", "Linux", "Darwin"],
    "dependencies": "requests==2.32.3",
    "permissions": ["network.https", "config.read", "message.process", "message.send"],
    "features": "- 名言回复\n- 离线兜底",
    "screenshots": "docs/screenshot.png",
    "demo_video": None,
    "documentation": None,
    "checklist": "all",
}


def render(values: dict[str, Any], *, newline: str = "\n") -> str:
    """What GitHub writes for a form submission (a `### label` heading per field), driven by the template."""
    parts: list[str] = []
    for field in load_form().fields:
        value = values.get(field.id)
        if field.type == "checkboxes":
            lines = []
            for option in field.options:
                ticked = value == "all" or (isinstance(value, list) and option.value in value)
                lines.append(f"- [{'X' if ticked else ' '}] {option.label}")
            text = "\n".join(lines)
        elif field.type == "dropdown":
            text = ", ".join(value) if isinstance(value, list) else (value or "None")
        elif value is None or value == "":
            text = "_No response_"
        elif field.rendered:
            text = f"```text\n{value}\n```"
        else:
            text = str(value)
        parts.append(f"### {field.label}\n\n{text}")
    return ("\n\n".join(parts)).replace("\n", newline)


def good_body(**changes: Any) -> str:
    return render({**GOOD, **changes})
