"""Issue body -> :class:`Submission`, driven by the issue form; every problem is a field-level finding.

GitHub renders a form as ``### <label>`` then the value, fields in template order. The body is
untrusted (it can be edited or created through the API), so nothing here raises on bad input:

* CRLF and lone CR become LF; the body is cut at 65,536 characters (a finding says so);
* ``_No response_`` and a dropdown's ``None`` mean empty; ``render:`` textareas are unfenced;
* a free-text field may contain ``### <another label>``: headings are matched to fields from the
  end of the body backwards, each field taking the last heading of its label before the next
  field's heading, so text inside a field can never replace a later or an earlier field;
* a second heading for the same field inside a one-line field is a duplicate (an error);
* unknown headings inside one-line fields are reported and ignored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wxreg.review import rules
from wxreg.review.findings import Finding
from wxreg.review.form import FormField, IssueForm, load_form

MAX_BODY_CHARS = 65_536
MAX_INPUT_CHARS = 500
NO_RESPONSE = "_No response_"
HEADING = re.compile(r"^###[ \t]+(.*?)[ \t]*#*[ \t]*$")
CHECKBOX = re.compile(r"^[ \t]*[-*][ \t]+\[([ xX])\][ \t]+(.*?)[ \t]*$")
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")

LIST_FIELDS = ("supported_os", "dependencies", "permissions", "features", "screenshots")
OPTIONAL_TEXT = ("gitee_repo", "max_wxauto_version", "demo_video", "documentation")


@dataclass(frozen=True)
class Submission:
    """A plugin submission: what the author claims. Untrusted; every value is re-checked by the review."""

    plugin_name: str = ""
    plugin_id: str = ""
    version: str = ""
    release_tag: str = ""
    description: str = ""
    category: str = ""
    github_repo: str = ""
    gitee_repo: str | None = None
    author_name: str = ""
    author_github: str = ""
    author_email: str = ""
    license: str = ""
    min_wxauto_version: str = ""
    max_wxauto_version: str | None = None
    python_version: str = ""
    supported_os: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    screenshots: tuple[str, ...] = ()
    demo_video: str | None = None
    documentation: str | None = None
    checklist_complete: bool = False
    body_sha256: str = field(default_factory=lambda: hashlib.sha256(b"").hexdigest())
    source: str = "issue"
    """``issue`` (parsed from an issue body) or ``manifest`` (built from plugin.json by ``--repo``)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any], repo_url: str, tag: str) -> Submission:
        """What an author would have submitted for this manifest (``--repo`` mode: no issue at all)."""

        def text(key: str) -> str:
            value = manifest.get(key)
            return value if isinstance(value, str) else ""

        def strings(key: str) -> tuple[str, ...]:
            value = manifest.get(key)
            return tuple(x for x in value if isinstance(x, str)) if isinstance(value, list) else ()

        return cls(
            plugin_name=text("name"),
            plugin_id=text("plugin_id"),
            version=text("version"),
            release_tag=tag,
            description=text("description"),
            category=text("category"),
            github_repo=repo_url,
            author_name=text("author"),
            license=text("license"),
            min_wxauto_version=text("min_wxauto_version"),
            max_wxauto_version=text("max_wxauto_version") or None,
            python_version=text("python_version"),
            supported_os=strings("supported_os"),
            dependencies=strings("dependencies"),
            permissions=strings("permissions"),
            checklist_complete=True,
            body_sha256=hashlib.sha256(b"").hexdigest(),
            source="manifest",
        )


@dataclass(frozen=True)
class ParsedSubmission:
    submission: Submission
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def parse_issue_body(body: str | None, form: IssueForm | None = None) -> ParsedSubmission:
    """Parse an issue body written through ``form`` (the repository's submission form by default)."""
    form = form or load_form()
    raw = body or ""
    digest = body_sha256(raw)
    findings: list[Finding] = []
    if len(raw) > MAX_BODY_CHARS:
        findings.append(rules.F004.at(limit=MAX_BODY_CHARS))
        raw = raw[:MAX_BODY_CHARS]
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    by_label = form.by_label()

    headings: list[tuple[int, str]] = []  # (line index, heading text) for every ### line
    for index, line in enumerate(lines):
        match = HEADING.match(line)
        if match:
            headings.append((index, match.group(1).strip()))

    # Backwards: each field takes the last heading of its label before the next chosen heading.
    chosen: dict[str, int] = {}
    bound = len(lines)
    for form_field in reversed(form.fields):
        for index, text in reversed(headings):
            if index < bound and text == form_field.label:
                chosen[form_field.id] = index
                bound = index
                break
    if not chosen:
        findings.append(rules.F008.at())

    starts = sorted((index, field_id) for field_id, index in chosen.items())
    sections: dict[str, list[str]] = {}
    for position, (index, field_id) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        sections[field_id] = lines[index + 1 : end]

    # Headings that were not chosen: inside free text they are content, elsewhere they are noise.
    chosen_lines = set(chosen.values())
    for index, text in headings:
        if index in chosen_lines:
            continue
        owner = _owner(starts, index)
        owner_field = form.field(owner) if owner else None
        known = by_label.get(text)
        if owner_field is not None and owner_field.free_text:
            if known is not None:
                findings.append(rules.F007.at(field=owner_field.id))
            continue
        if known is not None:
            findings.append(rules.F003.at(field=known.id))
        else:
            findings.append(rules.F002.at(heading=text))

    values: dict[str, Any] = {}
    for form_field in form.fields:
        section = sections.get(form_field.id)
        value, problems = _field_value(form_field, section)
        findings.extend(problems)
        values[form_field.id] = value

    submission = _build(values, digest, findings)
    return ParsedSubmission(submission, tuple(findings))


def _owner(starts: list[tuple[int, str]], index: int) -> str | None:
    owner: str | None = None
    for start, field_id in starts:
        if start < index:
            owner = field_id
    return owner


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _field_value(form_field: FormField, section: list[str] | None) -> tuple[Any, list[Finding]]:
    problems: list[Finding] = []
    if section is None:
        if form_field.required:
            problems.append(rules.F001.at(field=form_field.id))
        return _empty(form_field), problems
    lines = _strip_blank(section)
    if form_field.type == "checkboxes":
        return _checkboxes(form_field, lines, problems), problems
    if form_field.rendered and lines and lines[0].lstrip().startswith("```"):
        lines = lines[1:]
        if lines and lines[-1].strip().startswith("```"):
            lines = lines[:-1]
        lines = _strip_blank(lines)
    text = "\n".join(lines).strip()
    empty_markers = {NO_RESPONSE, "None"} if form_field.type == "dropdown" else {NO_RESPONSE}
    if not text or text in empty_markers:
        if form_field.required:
            problems.append(rules.F001.at(field=form_field.id))
        return _empty(form_field), problems
    if form_field.type == "textarea":
        return text, problems
    if "\n" in text:
        problems.append(rules.F005.at(field=form_field.id, detail="应为单行 / must be one line"))
        text = text.split("\n", 1)[0].strip()
    if len(text) > MAX_INPUT_CHARS:
        problems.append(rules.F005.at(field=form_field.id, detail=f"超过 {MAX_INPUT_CHARS} 字符 / too long"))
        text = text[:MAX_INPUT_CHARS]
    if form_field.type == "dropdown":
        allowed = {option.value for option in form_field.options}
        if form_field.multiple:
            picked: list[str] = []
            for part in (p.strip() for p in text.split(",")):
                if part in allowed and part not in picked:
                    picked.append(part)
                elif part:
                    problems.append(rules.F009.at(field=form_field.id, value=part))
            if not picked and form_field.required:
                problems.append(rules.F001.at(field=form_field.id))
            return tuple(picked), problems
        if text not in allowed:
            problems.append(rules.F005.at(field=form_field.id, detail=f"未知选项 / unknown option {text!r}"))
            return "", problems
    return text, problems


def _checkboxes(form_field: FormField, lines: list[str], problems: list[Finding]) -> tuple[str, ...] | bool:
    by_label = {option.label: option for option in form_field.options}
    ticked: list[str] = []
    for line in lines:
        match = CHECKBOX.match(line)
        if not match:
            if line.strip() and line.strip() != NO_RESPONSE:
                problems.append(rules.F009.at(field=form_field.id, value=line.strip()))
            continue
        option = by_label.get(match.group(2))
        if option is None:
            problems.append(rules.F009.at(field=form_field.id, value=match.group(2)))
            continue
        if match.group(1) in "xX" and option.label not in ticked:
            ticked.append(option.label)
    if any(option.required for option in form_field.options):
        complete = all(option.label in ticked for option in form_field.options if option.required)
        if not complete:
            problems.append(rules.F006.at())
        return complete
    return tuple(by_label[label].value for label in ticked)


def _empty(form_field: FormField) -> Any:
    if form_field.type == "checkboxes":
        return False if any(o.required for o in form_field.options) else ()
    if form_field.type == "dropdown" and form_field.multiple:
        return ()
    return None


def _lines(value: Any) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(str(x) for x in value)
    if not isinstance(value, str):
        return ()
    return tuple(line.strip() for line in value.split("\n") if line.strip() and not line.strip().startswith("#"))


def _build(values: dict[str, Any], digest: str, findings: list[Finding]) -> Submission:
    names = set(Submission.__dataclass_fields__)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        target = "checklist_complete" if key == "checklist" else key
        if target not in names:
            continue
        if target == "checklist_complete":
            kwargs[target] = bool(value)
        elif target in LIST_FIELDS:
            items = _lines(value)
            if target == "features" or target == "screenshots":
                items = tuple(item.lstrip("-* ").strip() for item in items)
            kwargs[target] = tuple(x for x in items if x)
        elif target in OPTIONAL_TEXT:
            kwargs[target] = value if isinstance(value, str) and value else None
        else:
            kwargs[target] = value if isinstance(value, str) else ""
    email = kwargs.get("author_email") or ""
    if email and not EMAIL.match(email):
        findings.append(rules.F005.at(field="author_email", detail="不是邮箱地址 / not an email address"))
    return Submission(**kwargs, body_sha256=digest, source="issue")
