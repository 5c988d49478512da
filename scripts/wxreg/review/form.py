"""The submission issue form, read from its YAML so the parser and the template cannot drift."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from wxreg.review.policy import FORM_PATH

OPTION_SEPARATOR = " — "
"""An option label may explain itself after this separator; the value is the part before it."""


@dataclass(frozen=True)
class FormOption:
    label: str
    required: bool = False

    @property
    def value(self) -> str:
        return self.label.split(OPTION_SEPARATOR, 1)[0].strip()


@dataclass(frozen=True)
class FormField:
    id: str
    type: str
    """``input``, ``textarea``, ``dropdown`` or ``checkboxes``."""
    label: str
    required: bool
    options: tuple[FormOption, ...] = ()
    multiple: bool = False
    rendered: bool = False
    """A textarea with ``render:``: GitHub fences its value."""

    @property
    def free_text(self) -> bool:
        """A field whose value may legitimately span lines (and so contain anything)."""
        return self.type == "textarea"


@dataclass(frozen=True)
class IssueForm:
    name: str
    labels: tuple[str, ...]
    fields: tuple[FormField, ...]

    def field(self, field_id: str) -> FormField:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(field_id)

    def by_label(self) -> dict[str, FormField]:
        return {f.label: f for f in self.fields}


class FormError(ValueError):
    """The form template itself is broken (a bug in this repository, not in a submission)."""


def parse_form(text: str) -> IssueForm:
    import yaml  # only issue reviews read the form: a ``--repo`` review does not pay for importing YAML

    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("body"), list):
        raise FormError("issue form has no body list")
    fields: list[FormField] = []
    for item in data["body"]:
        kind = item.get("type")
        if kind == "markdown":
            continue
        attrs = item.get("attributes") or {}
        field_id = item.get("id")
        if not isinstance(field_id, str) or not field_id.isascii():
            raise FormError(f"form field without an ASCII id: {attrs.get('label')!r}")
        options: list[FormOption] = []
        for option in attrs.get("options") or []:
            if isinstance(option, dict):
                options.append(FormOption(str(option["label"]), bool(option.get("required", False))))
            else:
                options.append(FormOption(str(option)))
        fields.append(
            FormField(
                id=field_id,
                type=str(kind),
                label=str(attrs["label"]).strip(),
                required=bool((item.get("validations") or {}).get("required", False)),
                options=tuple(options),
                multiple=bool(attrs.get("multiple", False)),
                rendered=bool(attrs.get("render")),
            )
        )
    labels = data.get("labels") or []
    return IssueForm(name=str(data.get("name", "")), labels=tuple(str(x) for x in labels), fields=tuple(fields))


@lru_cache(maxsize=4)
def load_form(path: Path = FORM_PATH) -> IssueForm:
    return parse_form(path.read_text(encoding="utf-8"))
