"""Where the registry's own data lives: the checkout, or the copy an installed wheel carries.

Only :mod:`pathlib`: a command imports this before anything else it needs (a review command starts its
scanner's interpreter right after parsing its arguments, whose defaults are these paths)."""

from __future__ import annotations

from pathlib import Path

PACKAGED_DATA = Path(__file__).resolve().parent / "_data"
"""Where a wheel (``pip install git+https://...``) carries ``registry/``, ``schemas/`` and the issue form."""


def _data_root() -> Path:
    """The checkout this package runs from (editable install: ``scripts/wxreg`` -> root), else the copy of
    the registry data the wheel carries (built by ``setup.py``), laid out as in the repository."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "registry" / "review-policy.json").is_file() and (checkout / "schemas").is_dir():
        return checkout
    return PACKAGED_DATA


REPO_ROOT = _data_root()
"""The directory holding ``registry/``, ``schemas/`` and ``.github/ISSUE_TEMPLATE/``: the checkout, or the
packaged copy of them in an installed wheel."""

DEFAULT_POLICY_PATH = REPO_ROOT / "registry" / "review-policy.json"
"""The review policy (thresholds, allowed hosts, limits, engines)."""
