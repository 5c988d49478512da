"""The Pages site: ``registry.json`` at its stable path, the signed metadata beside it, and the catalog.

Layout of the output directory (a project site, so every link is relative)::

    registry/registry.json        the same bytes as the checkout's (the old client's URL)
    registry/revoked.json         when present
    registry/<dir>/...            every other directory of registry/ except plugins/ (signed metadata)
    index.html  plugins/<id>.html  queue.html      Chinese
    en/index.html  en/plugins/<id>.html  en/queue.html   English
    assets/catalog.css  assets/catalog.js

The same registry (and git history) gives byte-identical files: no clock, sorted everything.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from wxreg.catalog import words
from wxreg.catalog.data import CatalogData, extra_keys, load
from wxreg.revocations import Revocation

PACKAGE = Path(__file__).resolve().parent
PUBLISHED_FILES = ("registry.json", "revoked.json")
SOURCE_DIRS = frozenset({"plugins"})
"""Directories of ``registry/`` that are sources, not published files (their content is in registry.json)."""
INDEX_BUDGET_GZIP = 300_000
"""The index page, gzip-compressed, with 1,000 plugins (what a phone downloads)."""
PAGE_BUDGET_BYTES = 200_000
"""Any other page, uncompressed: a plugin at every schema maximum still fits."""
SORTS = ("updated", "newest", "downloads", "stars")


class CatalogError(Exception):
    """The site could not be built; the message says which page and why."""


@dataclass(frozen=True)
class Card:
    """One plugin as the index lists it (and as its page's header shows it)."""

    plugin_id: str
    entry: Mapping[str, Any]
    search: str
    os: tuple[str, ...]
    downloads: int
    stars: int
    revoked: bool
    warned: bool

    @property
    def updated(self) -> str:
        return str(self.entry.get("updated_at", ""))

    @property
    def created(self) -> str:
        return str(self.entry.get("created_at", ""))


def _card(entry: Mapping[str, Any], revocations: Sequence[Revocation]) -> Card:
    stats = entry.get("stats") or {}
    latest = entry["versions"]["latest"]
    blocking = [r for r in revocations if r.covers_version(latest)]
    text = " ".join([entry["plugin_id"], str(entry.get("name", "")), str(entry.get("short_description", "")),
                     str(entry.get("description", "")), *map(str, entry.get("tags") or [])])
    return Card(entry["plugin_id"], entry, " ".join(text.casefold().split()),
                tuple((entry.get("compatibility") or {}).get("supported_os") or ()),
                int(stats.get("downloads") or 0), int(stats.get("stars") or 0),
                any(r.severity != "warn" for r in blocking), any(r.severity == "warn" for r in blocking))


def safe_url(value: Any) -> str | None:
    """Only http(s) URLs become links (a ``javascript:`` homepage stays text)."""
    return value if isinstance(value, str) and urlsplit(value).scheme in ("http", "https") else None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["day"] = lambda value: str(value or "")[:10]
    env.filters["safe_url"] = safe_url
    env.filters["short"] = lambda value: str(value or "")[:12]
    env.globals["os_names"] = lambda names, lang: ", ".join(
        words.pick(words.OS_NAMES[name], lang) if name in words.OS_NAMES else str(name) for name in names
    ) or words.texts(lang)["os_unstated"]
    return env


def _sorted_cards(cards: Sequence[Card]) -> list[Card]:
    """Recently updated first, then by id: the order without JavaScript."""
    by_id = sorted(cards, key=lambda card: card.plugin_id)
    return sorted(by_id, key=lambda card: card.updated, reverse=True)


def _pages(data: CatalogData) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, template, context) for every HTML page, each language."""
    categories = [c for c in data.registry.get("categories", []) if isinstance(c, Mapping)]
    cards = _sorted_cards([_card(entry, data.revocations.get(entry["plugin_id"], ())) for entry in data.plugins])
    used_os = sorted({os_name for card in cards for os_name in card.os})
    used_permissions = sorted({p for card in cards for p in card.entry.get("permissions") or []})
    for lang in words.LANGUAGES:
        prefix = "" if lang == "zh" else "en/"
        category_names = {str(c.get("id")): (words.CATEGORY_NAMES_EN.get(str(c.get("id")), str(c.get("name", "")))
                                             if lang == "en" else str(c.get("name", c.get("id"))))
                          for c in categories}
        common = {"lang": lang, "html_lang": words.HTML_LANG[lang], "T": words.texts(lang),
                  "words": words, "category_names": category_names, "has_queue": data.queue is not None}
        yield (f"{prefix}index.html", "index.html", {
            **common, "root": "../" if prefix else "", "other": ("../" if prefix else "en/") + "index.html",
            "cards": cards, "categories": categories, "used_os": used_os, "used_permissions": used_permissions,
            "sorts": SORTS, "last_updated": data.registry.get("last_updated", "")})
        for card in cards:
            plugin_id = card.plugin_id
            yield (f"{prefix}plugins/{plugin_id}.html", "plugin.html", {
                **common, "root": "../../" if prefix else "../",
                "other": ("../../" if prefix else "../en/") + f"plugins/{plugin_id}.html",
                "card": card, "entry": card.entry, "revocations": data.revocations.get(plugin_id, ()),
                "history": data.history.get(plugin_id, ()), "extras": extra_keys(card.entry)})
        if data.queue is not None:
            yield (f"{prefix}queue.html", "queue.html", {
                **common, "root": "../" if prefix else "", "other": ("../" if prefix else "en/") + "queue.html",
                "queue": data.queue})


def render(data: CatalogData) -> dict[str, bytes]:
    """Every file of the site (relative path -> bytes), budgets checked."""
    env = _environment()
    files: dict[str, bytes] = {}
    for path, template, context in _pages(data):
        files[path] = env.get_template(template).render(context).encode("utf-8")
    for name in ("catalog.css", "catalog.js"):
        files[f"assets/{name}"] = (PACKAGE / "static" / name).read_bytes()
    check_budgets(files)
    return files


def check_budgets(files: Mapping[str, bytes]) -> None:
    for path, body in files.items():
        if not path.endswith(".html"):
            continue
        if path.endswith("index.html"):
            size = len(gzip.compress(body, mtime=0))
            if size > INDEX_BUDGET_GZIP:
                raise CatalogError(f"{path}: {size} 字节（gzip）超出预算 {INDEX_BUDGET_GZIP} / "
                                   f"{size} bytes gzipped, over the budget of {INDEX_BUDGET_GZIP}")
        elif len(body) > PAGE_BUDGET_BYTES:
            raise CatalogError(f"{path}: {len(body)} 字节超出预算 {PAGE_BUDGET_BYTES} / "
                               f"{len(body)} bytes, over the budget of {PAGE_BUDGET_BYTES}")


def published_registry_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(site path, source) of what clients fetch: registry.json, revoked.json and metadata directories."""
    registry = root / "registry"
    for name in PUBLISHED_FILES:
        if (registry / name).is_file():
            yield f"registry/{name}", registry / name
    for directory in sorted(p for p in registry.iterdir() if p.is_dir() and p.name not in SOURCE_DIRS):
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            yield f"registry/{path.relative_to(registry).as_posix()}", path


def build_site(root: Path, out: Path) -> list[str]:
    """Write the whole site for the checkout at ``root`` into ``out`` (emptied first); its file list."""
    files = render(load(root))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path, body in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    written = list(files)
    for site_path, source in published_registry_files(root):
        target = out / site_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(site_path)
    return sorted(written)
