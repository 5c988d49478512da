"""Every file classified: code, docs, or an allowed data type whose content matches its type; paths safe
on every OS the client runs on; nothing CPython would run by itself.

* code (:mod:`wxreg.review.code`): must decode as CPython decodes it, as UTF-8 (K001);
* ``.pth``, ``sitecustomize.py``, ``usercustomize.py``, ``__pycache__``/``.pyc`` are run or imported by
  Python itself (K002);
* docs and text data must be UTF-8 text; JSON and TOML must parse; images must start with their magic
  (K004); any other kind of file is an error (K003);
* no archive or executable signature anywhere in a file (a zip appended to a picture is importable with
  ``zipimport``) (K005);
* Windows/macOS path hazards: trailing dot or space, reserved device names, characters Windows refuses,
  two paths that become one file on a case-insensitive or normalising file system (K006);
* Python code hidden in a data file (K007).
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import PurePosixPath

from wxreg.review import rules
from wxreg.review.code import is_code_path
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding
from wxreg.review.source import TreeFile

DOC_EXTENSIONS = (".md", ".rst", ".txt", ".adoc")
TEXT_EXTENSIONS = (".yaml", ".yml", ".ini", ".cfg", ".csv", ".tsv", ".xml", ".svg", ".html", ".css", ".example",
                   ".lock", ".typed", ".in", ".j2", ".jinja", ".tmpl", ".template", ".sql", ".po", ".env")  # fmt: skip
TEXT_NAMES = ("license", "licence", "copying", "notice", "authors", "contributors", "changelog", ".gitignore",
              ".gitattributes", ".editorconfig", "makefile", "codeowners", "readme", ".python-version",
              "requirements", "manifest.in", ".pre-commit-config.yaml", "dockerfile", "procfile")  # fmt: skip
IMAGE_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".ico": (b"\x00\x00\x01\x00",),
    ".bmp": (b"BM",),
    ".webp": (b"RIFF",),
}
SIGNATURES = (
    (b"PK\x05\x06", "zip"), (b"PK\x03\x04", "zip"), (b"PK\x01\x02", "zip"), (b"\x7fELF", "ELF"),
    (b"7z\xbc\xaf\x27\x1c", "7z"), (b"Rar!\x1a\x07", "rar"), (b"This program cannot be run in DOS mode", "Windows PE"),
    (b"\xfd7zXZ\x00", "xz"), (b"\xcf\xfa\xed\xfe", "Mach-O"), (b"\xca\xfe\xba\xbe", "Mach-O/Java"),
)  # fmt: skip
RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(?:\..*)?$", re.IGNORECASE)
WINDOWS_BAD = re.compile(r'[<>:"|?*\x00-\x1f]')
AUTORUN = ("sitecustomize.py", "usercustomize.py")


def path_hazards(paths: list[str]) -> Iterator[tuple[str, str]]:
    """``(path, why)`` for every path Windows or macOS would read differently."""
    folded: dict[str, str] = {}
    for path in paths:
        for part in PurePosixPath(path).parts:
            if part.endswith((".", " ")):
                yield path, f"「{part}」以点或空格结尾 / '{part}' ends with a dot or a space"
            if RESERVED.match(part.rstrip(". ")):
                yield path, f"「{part}」是 Windows 保留设备名 / '{part}' is a reserved Windows device name"
            if WINDOWS_BAD.search(part):
                yield path, f"「{part}」含 Windows 不允许的字符 / '{part}' has a character Windows refuses"
        key = "/".join(unicodedata.normalize("NFD", p.rstrip(". ")).casefold() for p in PurePosixPath(path).parts)
        other = folded.setdefault(key, path)
        if other != path:
            yield path, f"与 {other} 在 Windows/macOS 上是同一个文件 / is the same file as {other} on Windows/macOS"


def hidden_payload(data: bytes, *, skip_head: bool) -> str | None:
    """An archive or executable signature anywhere in ``data`` (beyond its own header when ``skip_head``)."""
    for signature, kind in SIGNATURES:
        start = data.find(signature, 1 if skip_head else 0)
        if start >= 0:
            return f"{kind} @ {start}"
    return None


def python_in_data(text: str) -> bool:
    """The text parses as Python and does something (imports, defines or calls)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    active = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Call, ast.Lambda)
    return any(isinstance(node, active) for node in ast.walk(tree))


class FilesCheck:
    name = "files"

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        for path, why in path_hazards([f.path for f in ctx.tree.files]):
            yield rules.K006.at(path, detail=why)
        for code in ctx.code.files:
            if code.problem:
                yield rules.K001.at(code.path, detail=code.problem)
        for item in ctx.tree.files:
            yield from self._classify(item)

    def _classify(self, item: TreeFile) -> Iterator[Finding]:
        pure = PurePosixPath(item.path)
        name = pure.name.lower()
        suffix = pure.suffix.lower()
        if "__pycache__" in (p.lower() for p in pure.parts) or suffix in (".pyc", ".pyo"):
            yield rules.K002.at(item.path, kind="__pycache__/.pyc")
            return
        if suffix == ".pth":
            yield rules.K002.at(item.path, kind=".pth")
            return
        if name in AUTORUN:
            yield rules.K002.at(item.path, kind=name)
            return
        payload = hidden_payload(item.data, skip_head=False)
        if is_code_path(item.path, item.data):
            if payload:
                yield rules.K005.at(item.path, detail=payload)
            return
        if suffix in IMAGE_MAGIC:
            if not item.data.startswith(IMAGE_MAGIC[suffix]) or (suffix == ".webp" and item.data[8:12] != b"WEBP"):
                yield rules.K004.at(item.path, detail=f"不是 {suffix} 图片 / not a {suffix} image")
            elif payload:
                yield rules.K005.at(item.path, detail=payload)
            return
        textual = suffix in DOC_EXTENSIONS or suffix in TEXT_EXTENSIONS or suffix in (".json", ".toml")
        # Dot-files (.flake8, .coveragerc, .dockerignore ...) are tool configuration: text, checked as text.
        textual = textual or name in TEXT_NAMES or name.split(".")[0] in TEXT_NAMES or name.startswith(".")
        if not textual:
            yield rules.K003.at(item.path, detail=f"{item.path}（{suffix or '无扩展名 / no extension'}）")
            return
        if payload:
            yield rules.K005.at(item.path, detail=payload)
            return
        try:
            text = item.data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            yield rules.K004.at(item.path, detail="不是 UTF-8 文本 / not UTF-8 text")
            return
        if "\0" in text:
            yield rules.K004.at(item.path, detail="文本含 NUL 字节 / text contains NUL bytes")
            return
        if suffix == ".json":
            try:
                json.loads(text)
            except ValueError as exc:
                yield rules.K004.at(item.path, detail=f"JSON 无法解析 / JSON does not parse: {exc}")
            return
        if suffix == ".toml":
            try:
                tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                yield rules.K004.at(item.path, detail=f"TOML 无法解析 / TOML does not parse: {exc}")
            return
        if suffix not in (".md", ".rst", ".adoc", ".html", ".svg", ".xml") and python_in_data(text):
            yield rules.K007.at(item.path, detail=item.path)
