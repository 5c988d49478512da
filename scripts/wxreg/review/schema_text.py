"""Schema errors in words people read: never a raw regular expression, always Chinese first, then English.

``jsonschema`` says ``'1.3.0rc1' does not match '^[0-9]+(\\.[0-9]+){1,3}$'``; an author needs "the version
must be 2 to 4 all-digit parts like 1.2.0 (pre-releases are not listed)". Each ``pattern`` of the manifest
schema gets its sentence here, keyed by the field; other keywords are phrased from the error's data.
"""

from __future__ import annotations

import json
from typing import Any

PATTERN_TEXT: dict[str, tuple[str, str]] = {
    "plugin_id": ("插件 ID 须以小写字母开头，仅含 a-z、0-9、_，共 3 到 64 个字符",
                  "the plugin id must start with a lower-case letter and hold only a-z, 0-9 and _, 3 to 64 characters"),
    "version": ("版本须为 2 到 4 段数字，如 1.2.0（现有客户端安装时拒绝其他形式，预发布版本不上架）",
                "the version must be 2 to 4 all-digit parts such as 1.2.0 (the shipped client refuses any other "
                "form at install time; pre-releases are not listed)"),
    "entry_point": ("入口须为仓库内的相对 .py 路径，不能以 / 开头或含 ..",
                    "the entry point must be a relative .py path inside the repository, without a leading / or .."),
    "class_name": ("类名须为合法的 Python 标识符", "the class name must be a Python identifier"),
    "homepage": ("主页须为 https:// 地址", "the homepage must be an https:// URL"),
    "min_wxauto_version": ("须为 2 到 4 段数字，如 1.0.0", "must be 2 to 4 all-digit parts such as 1.0.0"),
    "max_wxauto_version": ("须为 2 到 4 段数字，如 2.0.0", "must be 2 to 4 all-digit parts such as 2.0.0"),
    "python_version": ("须为 PEP 440 版本约束，如 >=3.8", "must be a PEP 440 specifier such as >=3.8"),
}
TYPE_NAMES = {"string": ("字符串", "a string"), "array": ("列表", "a list"), "object": ("对象", "an object"),
              "integer": ("整数", "an integer"), "number": ("数字", "a number"), "boolean": ("true 或 false",
                                                                                   "true or false")}


def _value(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(error: Any) -> str:
    """One bilingual sentence for a ``jsonschema`` ``ValidationError`` of the manifest schema."""
    keyword = error.validator
    keys = [p for p in error.absolute_path if isinstance(p, str)]
    field = keys[-1] if keys else ""
    if keyword == "pattern":
        zh, en = PATTERN_TEXT.get(field, ("格式不对", "has the wrong format"))
        return f"{zh}（现为 {_value(error.instance)}）/ {en} (it is {_value(error.instance)})"
    if keyword == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        names = ", ".join(missing)
        return f"缺少必填字段 {names} / required field {names} is missing"
    if keyword == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        names = ", ".join(extra)
        return f"不认识的字段 {names}（请删除或检查拼写）/ unknown field {names} (remove it or check the spelling)"
    if keyword == "enum":
        options = ", ".join(str(option) for option in error.validator_value)
        return f"{_value(error.instance)} 不是可选值，应为其一：{options} / {_value(error.instance)} is not allowed; " \
               f"choose one of: {options}"
    if keyword == "type":
        wanted = error.validator_value if isinstance(error.validator_value, str) else "string"
        zh, en = TYPE_NAMES.get(wanted, (wanted, wanted))
        return f"应为{zh} / must be {en}"
    if keyword in ("maxLength", "minLength", "maxItems", "minItems"):
        bound = error.validator_value
        zh = {"maxLength": f"最多 {bound} 个字符", "minLength": f"至少 {bound} 个字符",
              "maxItems": f"最多 {bound} 项", "minItems": f"至少 {bound} 项"}[keyword]
        en = {"maxLength": f"at most {bound} characters", "minLength": f"at least {bound} characters",
              "maxItems": f"at most {bound} items", "minItems": f"at least {bound} items"}[keyword]
        return f"{zh} / {en}"
    if keyword == "uniqueItems":
        return "列表中有重复项 / the list has duplicates"
    if keyword == "format":
        return f"不是有效的 {error.validator_value} / is not a valid {error.validator_value}"
    return f"不符合规则 {keyword} / breaks the schema rule {keyword}"
