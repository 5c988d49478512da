"""An update submission written the way github.com renders the issue form, from the listed entry and the
new release's manifest, so the very same parser and review handle it.

Identity (name, author, e-mail, repository, mirror) comes from the entry on main: an update never changes
it (a maintainer does that on purpose). What the release itself declares (version, tag, permissions,
dependencies, compatibility) comes from its ``plugin.json`` at the tag; the review then checks those
declarations against the code exactly as for any submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import yaml

from wxreg.models import PluginEntry
from wxreg.review.form import IssueForm, load_form
from wxreg.review.policy import FORM_PATH
from wxreg.review.submission import NO_RESPONSE

TITLE_PREFIX = "[插件更新 / Plugin update]"


def _text(manifest: Mapping[str, Any], key: str) -> str:
    value = manifest.get(key)
    return value.strip() if isinstance(value, str) else ""


def _strings(manifest: Mapping[str, Any], key: str) -> list[str] | None:
    value = manifest.get(key)
    if not isinstance(value, list):
        return None
    return [item.strip() for item in value if isinstance(item, str) and item.strip() and "\n" not in item]


def update_answers(entry: PluginEntry, manifest: Mapping[str, Any], version: str, tag: str,
                   form: IssueForm | None = None) -> dict[str, Any]:
    """Form answers (field id -> value) for ``entry`` at the new ``tag``."""
    form = form or load_form()
    permissions = _strings(manifest, "permissions")
    dependencies = _strings(manifest, "dependencies")
    supported = _strings(manifest, "supported_os")
    compat = entry.compatibility
    os_field = form.field("supported_os")
    allowed_os = {option.value for option in os_field.options}
    answers: dict[str, Any] = {
        "plugin_name": entry.name,
        "plugin_id": entry.plugin_id,
        "version": version,
        "release_tag": tag,
        "description": entry.description,
        "category": entry.category,
        "github_repo": entry.repository.primary.url,
        "gitee_repo": entry.repository.mirror.url if entry.repository.mirror else "",
        "author_name": entry.author.name,
        "author_github": entry.author.github,
        "author_email": entry.author.email,
        "license": entry.license,
        "min_wxauto_version": _text(manifest, "min_wxauto_version") or compat.min_wxauto_version,
        "max_wxauto_version": _text(manifest, "max_wxauto_version") or (compat.max_wxauto_version or ""),
        "python_version": _text(manifest, "python_version") or (compat.python_version or ""),
        "supported_os": [x for x in (supported if supported is not None else list(compat.supported_os or ()))
                         if x in allowed_os],
        "dependencies": "\n".join(dependencies if dependencies is not None else list(entry.dependencies or ())),
        "permissions": permissions if permissions is not None else list(entry.permissions),
        "features": "\n".join(f"- {item}" for item in entry.features or ()),
        "screenshots": "\n".join(entry.screenshots or ()),
        "demo_video": entry.demo_video or "",
        "documentation": entry.documentation or "",
        # The author ticked these when the plugin was listed; the review re-checks what it can.
        "checklist": [option.label for option in form.field("checklist").options],
    }
    return {key: value for key, value in answers.items() if any(f.id == key for f in form.fields)}


@lru_cache(maxsize=1)
def _render_languages() -> dict[str, str]:
    """Field id -> the ``render:`` language of the template's fenced textareas."""
    data = yaml.safe_load(FORM_PATH.read_text(encoding="utf-8"))
    return {str(item.get("id")): str((item.get("attributes") or {}).get("render"))
            for item in data.get("body") or [] if (item.get("attributes") or {}).get("render")}


def render_body(form: IssueForm, answers: Mapping[str, Any]) -> str:
    """``### <label>`` blocks as github.com renders them (LF line ends, as the API stores what it gets)."""
    sections: list[str] = []
    languages = _render_languages()
    for field in form.fields:
        value = answers.get(field.id)
        if field.type == "checkboxes":
            ticked = set(value or ())
            rendered = "\n".join(f"- [{'X' if o.label in ticked else ' '}] {o.label}" for o in field.options)
        elif field.type == "dropdown":
            chosen = [value] if isinstance(value, str) and value else list(value or ())
            labels = [o.label for o in field.options if o.value in chosen or o.label in chosen]
            rendered = ", ".join(labels) if labels else "None"
        else:
            text = str(value or "").replace("\r\n", "\n").strip()
            rendered = text if text else NO_RESPONSE
            if text and field.rendered:
                rendered = f"```{languages.get(field.id, '')}\n{text}\n```"
        sections.append(f"### {field.label}\n\n{rendered}")
    return "\n\n".join(sections)


def update_title(plugin_id: str, version: str) -> str:
    return f"{TITLE_PREFIX} {plugin_id} {version}"
