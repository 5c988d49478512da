#!/usr/bin/env python3
"""Add a plugin through the registry PR path: ``python scripts/add_plugin.py --help``.

A thin entry point; the logic lives in :mod:`wxreg.approval.maintenance`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wxreg.approval.maintenance import add_main

if __name__ == "__main__":
    sys.exit(add_main())
