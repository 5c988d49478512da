#!/usr/bin/env python3
"""Review WXAUTO-MGT plugin submissions: ``python scripts/plugin_reviewer.py --help``.

A thin entry point; the logic lives in :mod:`wxreg.review.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wxreg.review.cli import main

if __name__ == "__main__":
    sys.exit(main())
