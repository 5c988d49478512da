"""Security: bandit (our configuration, ``--ignore-nosec``), obfuscation, committed binaries, secrets.

bandit runs as a subprocess on plain copies of the plugin's Python files that we wrote ourselves;
any failure to run it, or output we cannot read, is a failed check, never a pass.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from wxreg.review import rules
from wxreg.review.checks._ast import aliases, qualified
from wxreg.review.code import CodeFile
from wxreg.review.context import ReviewContext
from wxreg.review.findings import Finding, Severity
from wxreg.review.prestart import communicate, take_bandit
from wxreg.review.source import TreeFile

# Nothing is excluded: bandit's default excludes (.tox, .eggs, *.egg ...) would hide code.
NEVER_MATCHES_EXCLUDE = "/nonexistent-wxreg-exclude/"

DECODERS = (
    "base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.a85decode", "base64.b85decode",
    "base64.decodebytes", "base64.standard_b64decode", "base64.urlsafe_b64decode", "codecs.decode",
    "zlib.decompress", "gzip.decompress", "bz2.decompress", "lzma.decompress", "marshal.loads",
    "bytes.fromhex", "binascii.unhexlify", "binascii.a2b_base64", "pickle.loads",
)  # fmt: skip
EXECUTORS = ("exec", "eval", "compile", "builtins.exec", "builtins.eval", "builtins.compile")
BASE64_BLOB = re.compile(rb"[A-Za-z0-9+/=_-]{40,}")
SECRETS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("AWS access key", re.compile(rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(rb"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b")),
    ("OpenAI-style API key", re.compile(rb"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b")),
    ("Slack token", re.compile(rb"\bxox[abprs]-[A-Za-z0-9-]{10,}\b")),
    ("Google API key", re.compile(rb"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("private key", re.compile(rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")),
)
BINARY_EXTENSIONS = (".exe", ".dll", ".so", ".dylib", ".pyd", ".pyc", ".pyo", ".bin", ".msi", ".jar", ".whl",
                     ".egg", ".zip", ".7z", ".rar", ".tar", ".gz", ".xz", ".bz2", ".com", ".scr", ".bat", ".cmd",
                     ".ps1", ".vbs", ".apk", ".deb", ".rpm")  # fmt: skip
MAGIC = (
    (b"\x7fELF", "ELF"), (b"MZ", "Windows PE"), (b"\xcf\xfa\xed\xfe", "Mach-O"), (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O/Java"), (b"PK\x03\x04", "zip archive"), (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"), (b"Rar!", "rar"), (b"\xfd7zXZ", "xz"), (b"BZh", "bzip2"),
)  # fmt: skip
ALLOWED_BINARY = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".bmp", ".svg", ".ttf", ".woff", ".woff2")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
BANDIT_TEST_ID = re.compile(r"^B[0-9]{3}$")
BANDIT_ALWAYS_ERRORS = frozenset({"B102", "B307", "B301", "B302", "B506", "B614", "B615"})
"""exec, eval, pickle, marshal, unsafe yaml.load, torch.load, model downloads: errors whatever bandit says."""
CONFIG_FILES = (".bandit", "bandit.yaml", "bandit.yml", ".bandit.yml", ".bandit.yaml")


def binary_kind(item: TreeFile) -> str | None:
    lower = item.path.lower()
    if lower.endswith(ALLOWED_BINARY):
        return None
    if lower.endswith(BINARY_EXTENSIONS):
        return lower.rsplit(".", 1)[-1]
    head = item.data[:8]
    if item.data[:2] == b"MZ" and b"\0" not in item.data[:4096]:
        pass  # text starting with "MZ" is not an executable
    else:
        for magic, kind in MAGIC:
            if head.startswith(magic):
                return kind
    if len(item.data) >= 4 and item.data[2:4] == b"\r\n" and lower.endswith(".pyc"):
        return "pyc"
    if b"\0" in item.data[:8192]:
        return "binary data"
    return None


class BanditRun:
    """One bandit run on ``root``: started here, its report read by :meth:`result`, so the check does its own
    work while bandit scans. A review command started bandit's interpreter early
    (:mod:`wxreg.review.prestart`): it gets the same command line, run by bandit's own ``main()``. Otherwise,
    or when that interpreter cannot run it, ``python -m bandit`` is started."""

    def __init__(self, ctx: ReviewContext, root: Path) -> None:
        self._tmp = tempfile.mkdtemp(prefix="wxreg-bandit-")
        self._out = Path(self._tmp) / "bandit.json"
        self._timeout = ctx.tools.timeout_seconds
        self._command = [
            ctx.tools.python, "-m", "bandit", "-r", str(root),
            "-f", "json", "-o", str(self._out), "-q",
            "--ignore-nosec",
            "-c", str(ctx.tools.bandit_config),
            "--ini", str(ctx.tools.bandit_ini),
            "-x", NEVER_MATCHES_EXCLUDE,
        ]  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None
        self._error: OSError | None = None
        launcher = take_bandit(ctx.tools.python)
        if launcher is not None and not launcher.send(self._command[3:]):
            launcher.close()  # it had exited: reaped, and bandit starts the usual way
            launcher = None
        self._launcher = launcher
        if launcher is None:
            self._start()

    def _start(self) -> None:
        try:
            self._process = subprocess.Popen(
                self._command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self._tmp
            )
        except OSError as exc:
            self._error = exc

    def _finish(self) -> subprocess.CompletedProcess[bytes]:
        if self._process is None:
            raise self._error or OSError("bandit was not started")
        return communicate(self._process, self._timeout)

    def result(self) -> tuple[dict[str, Any] | None, str | None]:
        """bandit's JSON report, or ``(None, why it failed)``."""
        try:
            return self._result()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _result(self) -> tuple[dict[str, Any] | None, str | None]:
        try:
            done = self._launcher.finish(self._timeout) if self._launcher is not None else None
            if done is None:
                if self._process is None and self._error is None:
                    self._start()  # the prestarted interpreter could not import bandit: as a plain run would
                done = self._finish()
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if done.returncode not in (0, 1):
            return None, f"bandit exit {done.returncode}: {done.stderr.decode('utf-8', 'replace')[-300:]}"
        try:
            report = json.loads(self._out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return None, f"bandit 输出不可读 / unreadable bandit output: {exc}"
        if not isinstance(report, dict) or not isinstance(report.get("results"), list):
            return None, "bandit 输出缺少 results / bandit output has no results"
        return report, None


def run_bandit(ctx: ReviewContext, root: Path) -> tuple[dict[str, Any] | None, str | None]:
    """bandit's JSON report for ``root``, or ``(None, why it failed)``."""
    return BanditRun(ctx, root).result()


def bandit_severity(result: dict[str, Any]) -> Severity:
    severity = str(result.get("issue_severity", "")).upper()
    confidence = str(result.get("issue_confidence", "")).upper()
    if severity == "HIGH" and confidence in ("HIGH", "MEDIUM"):
        return Severity.ERROR
    if severity == "LOW" or confidence == "LOW":
        return Severity.INFO
    return Severity.WARNING


BANDIT_DOCS = "https://bandit.readthedocs.io/en/latest/plugins/index.html"
BANDIT_PAGE = re.compile(r"https://bandit\.readthedocs\.io/[A-Za-z0-9_./#-]{1,150}")  # whole, under findings' 300


def _bandit_page(url: object) -> str:
    """The bandit documentation page of one test (its report's ``more_info``), or bandit's index of tests."""
    return url if isinstance(url, str) and BANDIT_PAGE.fullmatch(url) else BANDIT_DOCS


def _relative(root: Path, filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename


class SecurityCheck:
    """``bandit=False`` skips the bandit subprocess (the adversarial corpus proves our own analysis alone)."""

    name = "security"

    def __init__(self, *, bandit: bool = True) -> None:
        self.bandit = bandit

    def run(self, ctx: ReviewContext) -> Iterator[Finding]:
        bandit = self._start_bandit(ctx) if self.bandit else None  # it scans while the files are read here
        try:
            yield from self._files(ctx)
        except BaseException:
            if bandit is not None:
                bandit[1].result()  # never leave it running
            raise
        if bandit is not None:
            yield from self._bandit(*bandit)

    def _files(self, ctx: ReviewContext) -> Iterator[Finding]:
        for item in ctx.tree.files:
            base = item.path.rsplit("/", 1)[-1]
            if base in CONFIG_FILES or (base == "pyproject.toml" and b"[tool.bandit" in item.data):
                yield rules.S104.at(item.path, name=base)
            kind = binary_kind(item)
            if kind is not None:
                yield rules.S301.at(item.path, kind=kind)
            elif item.executable:
                yield rules.S302.at(item.path)
            yield from self._secrets(item)
            code = ctx.code.get(item.path)
            if kind is None and code is not None:
                yield from self._obfuscation(ctx, code)

    def _start_bandit(self, ctx: ReviewContext) -> tuple[Path, BanditRun] | None:
        if not any(True for _ in ctx.tree.python_files()):
            return None
        root = ctx.workdir / "bandit-tree"
        ctx.tree.materialise(root, only_python=True)
        return root, BanditRun(ctx, root)

    def _bandit(self, root: Path, run: BanditRun) -> Iterator[Finding]:
        report, problem = run.result()
        if report is None:
            yield rules.S102.at(detail=problem)
            return
        for error in report.get("errors") or []:
            yield rules.S103.at(
                _relative(root, str(error.get("filename", ""))), detail=str(error.get("reason", ""))[:200]
            )
        for result in report["results"]:
            test_id = str(result.get("test_id", ""))
            test_id = test_id if BANDIT_TEST_ID.match(test_id) else "B000"
            finding = rules.S101.at(
                _relative(root, str(result.get("filename", ""))),
                int(result.get("line_number") or 0) or None,
                severity=Severity.ERROR if test_id in BANDIT_ALWAYS_ERRORS else bandit_severity(result),
                test_id=test_id,
                severity_text=result.get("issue_severity", "?"),
                confidence=result.get("issue_confidence", "?"),
                text=result.get("issue_text", ""),
                more_info=_bandit_page(result.get("more_info")),
            )
            # Each bandit test keeps its own id, so the per-id cap never merges different tests.
            yield replace(finding, id=f"{finding.id}/{test_id}")

    def _secrets(self, item: TreeFile) -> Iterator[Finding]:
        for kind, pattern in SECRETS:
            match = pattern.search(item.data)
            if match:
                line = item.data.count(b"\n", 0, match.start()) + 1
                yield rules.S401.at(item.path, line, kind=kind)

    def _obfuscation(self, ctx: ReviewContext, item: CodeFile) -> Iterator[Finding]:
        minimum = ctx.policy.base64_blob_min_chars
        text = item.text or ""
        bidi = BIDI.search(text)
        if bidi:
            found = sorted({f"U+{ord(ch):04X}" for ch in BIDI.findall(text)})
            yield rules.S204.at(item.path, text.count("\n", 0, bidi.start()) + 1, chars=", ".join(found))
        parsed = item.module()
        if isinstance(parsed, SyntaxError):
            return  # bandit reports files it could not parse (S103)
        nodes = item.nodes()
        names = aliases(parsed, nodes)
        for node in nodes:
            kind = type(node)  # exactly the classes ast.parse makes: an identity test, not isinstance
            if kind is ast.Call:
                node = cast(ast.Call, node)
                name = qualified(node.func, names)
                if name in EXECUTORS:
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Call) and inner is not node:
                            inner_name = qualified(inner.func, names) or ""
                            attr = inner.func.attr if isinstance(inner.func, ast.Attribute) else ""
                            if inner_name in DECODERS or attr in ("decode", "decompress", "b64decode", "fromhex"):
                                yield rules.S201.at(item.path, node.lineno, what=f"{name}({inner_name or attr}(...))")
                                break
                elif name in ("marshal.loads", "marshal.load", "types.CodeType", "types.FunctionType"):
                    yield rules.S203.at(item.path, node.lineno)
            elif kind is ast.Constant:
                constant = cast(ast.Constant, node).value
                # (latin-1 with "replace" gives one byte per character: the length is the same)
                if not isinstance(constant, str | bytes) or len(constant) < minimum:
                    continue
                value = constant.encode("latin-1", "replace") if isinstance(constant, str) else constant
                if BASE64_BLOB.fullmatch(value.replace(b"\n", b"")) is not None:
                    yield rules.S202.at(item.path, getattr(node, "lineno", None), chars=len(value))
