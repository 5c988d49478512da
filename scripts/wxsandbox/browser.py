"""A real browser for the catalog's tests, benchmark and demo: Debian's Chromium driven by Playwright.

Playwright's own browser download cannot work on these machines, so it drives ``/usr/bin/chromium``
(``apt-get install -y chromium fonts-noto-cjk``, as root; ``make browser`` does it when missing). The
flags keep a headless Chromium off the network it would otherwise call home to.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")
INSTALL_HINT = "apt-get update && apt-get install -y chromium fonts-noto-cjk   (as root; or: make browser)"


def missing_reason() -> str | None:
    """Why no browser test can run here, or ``None`` when Chromium and Playwright are both present."""
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        return f"没有 Chromium / Chromium is not installed at {CHROMIUM}: {INSTALL_HINT}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "没有 Playwright / Playwright is not installed: make install"
    return None


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
