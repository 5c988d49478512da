"""Shared data for the catalog tests: the example registry plus a revocation and a review queue."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from wxreg.store import RegistryStore

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "registry-example" / "registry"
REVOKED_ID = "weather_query"
REVOKED = {"revocations": [{
    "plugin_id": REVOKED_ID, "versions": ["0.3.0"], "severity": "block",
    "reason": {"zh": "上报聊天记录到第三方服务器", "en": "uploads chat history to a third-party server"},
    "advisory": "https://github.com/wxauto/registry/security/advisories/GHSA-0000-0000-0000",
    "date": "2026-03-10T00:00:00Z"}]}
QUEUE = {"queue": [
    {"issue": 12, "plugin_id": "late_plugin", "state": "review-passed", "since": "2026-03-05T00:00:00Z",
     "url": "https://github.com/wxauto/registry/issues/12"},
    {"issue": 9, "plugin_id": "early_plugin", "state": "review-passed", "since": "2026-03-01T00:00:00Z",
     "url": "https://github.com/wxauto/registry/issues/9"}]}


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def seed_catalog(root: Path, *, revoked: bool = True, queue: bool = True) -> None:
    """Put the example plugins (and optionally a revocation and a queue) into ``root/registry`` and rebuild."""
    registry = root / "registry"
    (registry / "plugins").mkdir(parents=True, exist_ok=True)
    for path in sorted((EXAMPLE / "plugins").glob("*.json")):
        shutil.copyfile(path, registry / "plugins" / path.name)
    for name in ("categories.json", "removed.json"):
        shutil.copyfile(EXAMPLE / name, registry / name)
    if not (registry / "config.json").exists():
        shutil.copyfile(EXAMPLE / "config.json", registry / "config.json")
    if revoked:
        write_json(registry / "revoked.json", REVOKED)
    if queue:
        write_json(registry / "queue.json", QUEUE)
    RegistryStore(root).write()
