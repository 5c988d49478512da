"""What github.com's web UI does with an issue form: validate the answers and render the issue body.

GitHub renders each form element as ``### <label>`` and a blank line, then the value: ``_No response_``
for an empty input or textarea, ``None`` for a dropdown with nothing chosen, ``- [X] text`` / ``- [ ] text``
per checkbox option, selected dropdown options joined with ``, ``, and a textarea with ``render:`` fenced as
code. Markdown elements are not rendered. ``required:`` is enforced here, as only the web UI enforces it.
Browsers send line breaks inside answers as CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NO_RESPONSE = "_No response_"


class FormError(ValueError):
    """The web UI would not submit these answers (unknown field, bad option, missing required value)."""


@dataclass(frozen=True)
class RenderedIssue:
    title: str
    body: str
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)


def load_form(source: Path | str | Mapping[str, Any]) -> Mapping[str, Any]:
    """A form from a path, YAML text or an already-parsed mapping."""
    if isinstance(source, Mapping):
        return source
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, Mapping) or not isinstance(loaded.get("body"), list):
        raise FormError("not an issue form: no body list")
    return loaded


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item) for item in value]


def _text(value: Any, crlf: bool) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n")
    return text.replace("\n", "\r\n") if crlf else text


def render_issue_form(form: Path | str | Mapping[str, Any], answers: Mapping[str, Any], *, title: str | None = None,
                      crlf: bool = True, enforce_required: bool = True) -> RenderedIssue:
    """Render ``answers`` (keyed by element ``id``) the way github.com submits the form.

    Inputs and textareas take a string; a dropdown takes an option (or a list, when ``multiple``);
    checkboxes take the labels of the ticked options. ``title`` defaults to the form's title prefix."""
    spec = load_form(form)
    elements = [e for e in spec["body"] if isinstance(e, Mapping) and e.get("type") != "markdown"]
    known = {str(e["id"]) for e in elements if e.get("id")}
    unknown = set(answers) - known
    if unknown:
        raise FormError(f"no form element with id {', '.join(sorted(unknown))}")
    sections: list[str] = []
    for element in elements:
        kind = element.get("type")
        attributes = element.get("attributes") or {}
        label = str(attributes.get("label", ""))
        required = bool((element.get("validations") or {}).get("required"))
        value = answers.get(str(element.get("id"))) if element.get("id") else None
        if kind in ("input", "textarea"):
            text = _text(value, crlf)
            if required and enforce_required and not text.strip():
                raise FormError(f"{label}: required")
            if not text.strip():
                rendered = NO_RESPONSE
            elif kind == "textarea" and attributes.get("render"):
                newline = "\r\n" if crlf else "\n"
                rendered = f"```{attributes['render']}{newline}{text}{newline}```"
            else:
                rendered = text
        elif kind == "dropdown":
            options = [str(option) for option in attributes.get("options") or []]
            chosen = [] if value is None else [value] if isinstance(value, str) else [str(v) for v in value]
            if len(chosen) > 1 and not attributes.get("multiple"):
                raise FormError(f"{label}: one option only")
            if any(option not in options for option in chosen):
                raise FormError(f"{label}: not an option: {chosen}")
            if required and enforce_required and not chosen:
                raise FormError(f"{label}: required")
            rendered = ", ".join(o for o in options if o in chosen) if chosen else "None"
        elif kind == "checkboxes":
            boxes: list[Mapping[str, Any]] = list(attributes.get("options") or [])
            ticked = set(_checked(value))
            labels = [str(box.get("label")) for box in boxes]
            if ticked - set(labels):
                raise FormError(f"{label}: not an option: {sorted(ticked - set(labels))}")
            for box in boxes:
                if enforce_required and box.get("required") and str(box.get("label")) not in ticked:
                    raise FormError(f"{label}: {box.get('label')} must be ticked")
            rendered = "\n".join(f"- [{'X' if text in ticked else ' '}] {text}" for text in labels)
        else:
            continue
        sections.append(f"### {label}\n\n{rendered}")
    prefix = str(spec.get("title") or "")
    return RenderedIssue(title=title if title is not None else prefix, body="\n\n".join(sections),
                         labels=_names(spec.get("labels")), assignees=_names(spec.get("assignees")))


def _checked(value: Any) -> Iterable[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(key) for key, ticked in value.items() if ticked]
    return [str(item) for item in value]
