"""Constant folding over the syntax tree: what string a plugin builds, without running any of it.

Strings assembled from constants (``+``, f-strings, ``%``, ``.format``, ``"".join``), paths assembled with
``os.path.join`` / pathlib ``/`` / ``expanduser`` / environment variables, and constants decoded with
base64, hex, rot13, ``bytes.fromhex``, ``chr`` or a reversed slice are folded to their value. A part that
cannot be known is :data:`UNKNOWN`; a value that went through a decoder is marked ``decoded``. Decoders
are the standard library's pure functions on bytes: nothing of the plugin is imported or executed.
"""

from __future__ import annotations

import ast
import base64
import binascii
import codecs
import functools
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from wxreg.review.behaviour.patterns import DECODERS

UNKNOWN = "\ufffd"
MAX_CHARS = 20_000
MAX_DEPTH = 12
_FORMAT_FIELD = re.compile(r"\{([^{}]*)\}")
_PERCENT_FIELD = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[sdrifxX]")


@dataclass(frozen=True)
class Folded:
    text: str
    decoded: bool = False

    @property
    def complete(self) -> bool:
        return UNKNOWN not in self.text


def _join(parts: list[Folded | None], sep: str = "") -> Folded | None:
    if not parts or all(part is None for part in parts):
        return None
    text = sep.join(part.text if part is not None else UNKNOWN for part in parts)
    return Folded(text[:MAX_CHARS], any(part is not None and part.decoded for part in parts))


def _decode(name: str, data: bytes, codec: str | None) -> bytes | None:
    try:
        if name.endswith(("b64decode", "decodebytes", "a2b_base64")):
            return base64.b64decode(data + b"=" * (-len(data) % 4), altchars=b"-_" if "urlsafe" in name else None)
        if name.endswith("b32decode"):
            return base64.b32decode(data)
        if name.endswith(("b16decode", "unhexlify", "a2b_hex", "fromhex")):
            return binascii.unhexlify(b"".join(data.split()))
        if name.endswith("a85decode"):
            return base64.a85decode(data)
        if name.endswith("b85decode"):
            return base64.b85decode(data)
        if name.endswith("decompress") and name.startswith("zlib"):
            return zlib.decompressobj().decompress(data, MAX_CHARS)
        if name == "codecs.decode":
            kind = (codec or "").replace("-", "_").lower()
            if kind in ("rot13", "rot_13"):
                return codecs.decode(data.decode("latin-1"), "rot13").encode("latin-1")
            if kind in ("hex", "hex_codec"):
                return binascii.unhexlify(data)
            if kind in ("base64", "base_64", "base64_codec"):
                return base64.b64decode(data)
            return data
    except (ValueError, binascii.Error, zlib.error, UnicodeError):
        return None
    return None


class Folder:
    """Folds expressions of one module. ``lookup`` gives the expression a plain name was last bound to
    (module constant, local assignment, ``self.x``), ``qualify`` the dotted name a callee resolves to."""

    def __init__(self, lookup: Callable[[str], ast.expr | None], qualify: Callable[[ast.expr], str | None]) -> None:
        self.lookup = lookup
        self.qualify = qualify
        self.memo: dict[int, Folded | None] = {}

    def fold(self, node: ast.expr | None, depth: int = 0) -> Folded | None:
        if node is None or depth > MAX_DEPTH:
            return None
        key = id(node)
        if depth == 0 and key in self.memo:
            return self.memo[key]
        method = getattr(self, "_" + type(node).__name__, None)
        result: Folded | None = method(node, depth + 1) if method is not None else None
        if depth == 0:
            self.memo[key] = result
        return result

    def text(self, node: ast.expr | None) -> str | None:
        found = self.fold(node)
        return found.text if found is not None else None

    def _Constant(self, node: ast.Constant, depth: int) -> Folded | None:
        value = node.value
        if isinstance(value, str):
            return Folded(value[:MAX_CHARS])
        if isinstance(value, bytes):
            return Folded(value[:MAX_CHARS].decode("latin-1"))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Folded(str(value))
        return None

    def _JoinedStr(self, node: ast.JoinedStr, depth: int) -> Folded | None:
        return _join([self.fold(value, depth) for value in node.values])

    def _FormattedValue(self, node: ast.FormattedValue, depth: int) -> Folded | None:
        return self.fold(node.value, depth)

    def _Name(self, node: ast.Name, depth: int) -> Folded | None:
        bound = self.lookup(node.id)
        return self.fold(bound, depth) if bound is not None else None

    def _Attribute(self, node: ast.Attribute, depth: int) -> Folded | None:
        name = self.qualify(node)
        if name in ("os.sep", "os.altsep", "os.path.sep", "pathlib.os.sep"):
            return Folded("/")
        if name == "os.linesep":
            return Folded("\n")
        if name is not None and name.startswith("self."):
            bound = self.lookup(name)
            return self.fold(bound, depth) if bound is not None else None
        return None

    def _BinOp(self, node: ast.BinOp, depth: int) -> Folded | None:
        if isinstance(node.op, ast.Add):
            return _join([self.fold(node.left, depth), self.fold(node.right, depth)])
        if isinstance(node.op, ast.Div):  # pathlib's ``/``
            left = self.fold(node.left, depth)
            return _join([left, self.fold(node.right, depth)], "/") if left is not None else None
        if isinstance(node.op, ast.Mod):
            template = self.fold(node.left, depth)
            if template is None:
                return None
            values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            parts = iter([self.fold(value, depth) for value in values])
            decoded = template.decoded

            def put(_: re.Match[str]) -> str:
                nonlocal decoded
                part = next(parts, None)
                decoded = decoded or bool(part and part.decoded)
                return part.text if part is not None else UNKNOWN

            return Folded(_PERCENT_FIELD.sub(put, template.text)[:MAX_CHARS], decoded)
        if isinstance(node.op, ast.Mult):
            left, right = self.fold(node.left, depth), self.fold(node.right, depth)
            if left and right and right.text.isdigit() and int(right.text) * len(left.text) <= MAX_CHARS:
                return Folded(left.text * int(right.text), left.decoded)
        return None

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> Folded | None:
        for value in node.values:  # ``os.environ.get("APPDATA") or "~/AppData/Roaming"``
            found = self.fold(value, depth)
            if found is not None:
                return found
        return None

    def _IfExp(self, node: ast.IfExp, depth: int) -> Folded | None:
        return self.fold(node.body, depth) or self.fold(node.orelse, depth)

    def _Subscript(self, node: ast.Subscript, depth: int) -> Folded | None:
        env = self._env_name(node.value, node.slice, depth)
        if env is not None:
            return env
        if isinstance(node.slice, ast.Slice):
            base = self.fold(node.value, depth)
            if base is None or not base.complete:
                return None
            parts = (node.slice.lower, node.slice.upper, node.slice.step)
            bounds = [self._int(part, depth) if part is not None else None for part in parts]
            if any(b is None and part is not None for b, part in zip(bounds, parts, strict=True)):
                return None
            lower, upper, step = bounds
            if step == 0:
                return None
            return Folded(base.text[lower:upper:step], base.decoded or (step is not None and step < 0))
        return None

    def _int(self, node: ast.expr, depth: int) -> int | None:
        """The integer ``node`` folds to, or ``None``."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self._int(node.operand, depth)
            return -inner if inner is not None else None
        found = self.fold(node, depth)
        if found is None or not found.text.lstrip("-").isdigit():
            return None
        return int(found.text)

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> Folded | None:
        if isinstance(node.op, ast.USub):
            inner = self.fold(node.operand, depth)
            if inner is not None and inner.text.isdigit():
                return Folded("-" + inner.text)
        return None

    def _env_name(self, holder: ast.expr, key: ast.expr, depth: int) -> Folded | None:
        """``os.environ["APPDATA"]`` -> ``%APPDATA%``."""
        if self.qualify(holder) in ("os.environ", "os.environb"):
            name = self.fold(key, depth)
            if name is not None and name.complete:
                return Folded(f"%{name.text}%")
        return None

    def _List(self, node: ast.List | ast.Tuple, depth: int) -> Folded | None:
        return _join([self.fold(elt, depth) for elt in node.elts], " ")

    _Tuple = _List

    def _Call(self, node: ast.Call, depth: int) -> Folded | None:
        name = self.qualify(node.func) or ""
        args = node.args
        first = args[0] if args else None
        if name in ("os.getenv", "os.environ.get", "os.getenvb"):
            key = self.fold(first, depth)
            return Folded(f"%{key.text}%") if key is not None and key.complete else None
        if name in ("os.path.join", "posixpath.join", "ntpath.join") or name.startswith("pathlib."):
            if name.endswith((".home", ".Path.home")):
                return Folded("~")
            if name.endswith(".cwd"):
                return Folded(UNKNOWN)
            return _join([self.fold(arg, depth) for arg in args], "/") if args else Folded(".")
        if name in ("os.path.expanduser", "os.path.expandvars", "os.path.abspath", "os.path.normpath",
                    "os.path.realpath", "os.fspath", "str", "bytes", "bytearray") and len(args) == 1:
            if name in ("bytes", "bytearray") and isinstance(first, ast.List | ast.Tuple):
                return self._chars(first.elts, depth)
            return self.fold(first, depth)
        if name == "chr" and len(args) == 1:
            code = self._int(first, depth) if first is not None else None
            return Folded(chr(code), True) if code is not None and 0 <= code < 0x110000 else None
        if name in DECODERS or (isinstance(node.func, ast.Attribute) and node.func.attr == "fromhex"):
            source = self.fold(first, depth)
            codec = self.fold(args[1], depth) if len(args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "encoding":
                    codec = self.fold(keyword.value, depth)
            if source is None or not source.complete:
                return Folded(UNKNOWN, True)
            decoded = _decode(name or "bytes.fromhex", source.text.encode("latin-1", "replace"),
                              codec.text if codec else None)
            if decoded is None:
                return Folded(UNKNOWN, True)
            return Folded(decoded[:MAX_CHARS].decode("latin-1"), True)
        if isinstance(node.func, ast.Attribute):
            return self._method(node, node.func, depth)
        return None

    def _chars(self, elts: list[ast.expr], depth: int) -> Folded | None:
        codes = [self._int(elt, depth) for elt in elts]
        known = [c for c in codes if c is not None and 0 <= c < 256]
        if not codes or len(known) != len(codes):
            return None
        return Folded("".join(chr(c) for c in known), True)

    def _method(self, node: ast.Call, func: ast.Attribute, depth: int) -> Folded | None:
        attr = func.attr
        if attr == "join" and len(node.args) == 1:
            sep = self.fold(func.value, depth)
            if sep is None:
                return None
            items = self._items(node.args[0], depth)
            if items is None:
                return None
            joined = _join(list(items), sep.text)
            return Folded(joined.text, joined.decoded or sep.decoded) if joined else None
        base = self.fold(func.value, depth)
        if base is None:
            return None
        args = [self.fold(arg, depth) for arg in node.args]
        if attr in ("decode", "encode", "strip", "lstrip", "rstrip", "expanduser", "resolve", "absolute",
                    "as_posix", "__str__", "__fspath__"):
            return base
        if attr in ("lower", "upper", "casefold", "swapcase", "title", "capitalize"):
            return Folded(getattr(base.text, attr)(), base.decoded)
        if attr == "joinpath":
            return _join([base, *args], "/")
        if attr == "replace" and len(args) == 2 and args[0] is not None and args[1] is not None:
            return Folded(base.text.replace(args[0].text, args[1].text)[:MAX_CHARS],
                          base.decoded or args[0].decoded or args[1].decoded)
        if attr == "format":
            values = iter(args)
            named = {k.arg: self.fold(k.value, depth) for k in node.keywords if k.arg}
            decoded = base.decoded

            def put(match: re.Match[str]) -> str:
                nonlocal decoded
                key = match.group(1).split("!")[0].split(":")[0]
                part = named.get(key) if key and not key.isdigit() else (
                    args[int(key)] if key.isdigit() and int(key) < len(args) else next(values, None))
                decoded = decoded or bool(part and part.decoded)
                return part.text if part is not None else UNKNOWN

            return Folded(_FORMAT_FIELD.sub(put, base.text)[:MAX_CHARS], decoded)
        return None

    def _bound(self, name: str, value: ast.expr | None) -> Callable[[str], ast.expr | None]:
        def lookup(other: str) -> ast.expr | None:
            return value if other == name else self.lookup(other)

        return lookup

    def _items(self, node: ast.expr, depth: int) -> list[Folded | None] | None:
        if isinstance(node, ast.List | ast.Tuple):
            return [self.fold(elt, depth) for elt in node.elts]
        if isinstance(node, ast.Name):
            bound = self.lookup(node.id)
            return self._items(bound, depth + 1) if bound is not None and depth < MAX_DEPTH else None
        if isinstance(node, ast.GeneratorExp | ast.ListComp) and len(node.generators) == 1:
            gen = node.generators[0]
            if not isinstance(gen.target, ast.Name) or gen.ifs:
                return None
            source = self._items(gen.iter, depth) if not isinstance(gen.iter, ast.Constant) else None
            if isinstance(gen.iter, ast.Constant) or source is None:
                folded = self.fold(gen.iter, depth)
                if folded is None or not folded.complete:
                    return None
                source = [Folded(str(ord(ch))) for ch in folded.text]
            out: list[Folded | None] = []
            target = gen.target.id
            for item in source[:MAX_CHARS]:
                bound = ast.Constant(int(item.text)) if item and item.text.lstrip("-").isdigit() else (
                    ast.Constant(item.text) if item else None)
                out.append(Folder(self._bound(target, bound), self.qualify).fold(node.elt, depth))
            return out
        return None


@functools.lru_cache(maxsize=4096)
def normalise_path(text: str) -> str:
    """Lower case, ``/`` separators, no doubled ``/``, home as ``~`` (``%USERPROFILE%``, ``C:/Users/x``)."""
    value = text.replace("\\", "/").lower()
    value = re.sub(r"(?<!:)/{2,}", "/", value)
    value = re.sub(r"^%(userprofile|home)%", "~", value)
    value = re.sub(r"^\$\{?home\}?", "~", value)
    value = re.sub(r"^[a-z]:/users/[^/]+", "~", value)
    value = re.sub(r"^/(home|users)/[^/]+", "~", value)
    value = value.replace("%appdata%", "~/appdata/roaming").replace("%localappdata%", "~/appdata/local")
    return value
