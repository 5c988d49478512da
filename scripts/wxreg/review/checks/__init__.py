"""Every check of the review, one implementation of :class:`wxreg.review.context.Check` each.

The checks are named here and imported on first use: the review starts its scanner (bandit) as soon as the
security check is loaded, while the modules of the other checks are still being imported."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wxreg.review.behaviour.check import BehaviourCheck
    from wxreg.review.checks.compatibility import CompatibilityCheck
    from wxreg.review.checks.dependencies import DependenciesCheck
    from wxreg.review.checks.files import FilesCheck
    from wxreg.review.checks.guarddog import GuardDogCheck
    from wxreg.review.checks.identity import IdentityCheck
    from wxreg.review.checks.licence import LicenceCheck
    from wxreg.review.checks.manifest import ManifestCheck
    from wxreg.review.checks.mirror import MirrorCheck
    from wxreg.review.checks.ownership import OwnershipCheck
    from wxreg.review.checks.permissions import PermissionsCheck
    from wxreg.review.checks.security import SecurityCheck
    from wxreg.review.checks.structure import StructureCheck
    from wxreg.review.context import Check

CHECKS: tuple[tuple[str, str, str], ...] = (
    ("manifest", "wxreg.review.checks.manifest", "ManifestCheck"),
    ("structure", "wxreg.review.checks.structure", "StructureCheck"),
    ("files", "wxreg.review.checks.files", "FilesCheck"),
    ("licence", "wxreg.review.checks.licence", "LicenceCheck"),
    ("security", "wxreg.review.checks.security", "SecurityCheck"),
    ("guarddog", "wxreg.review.checks.guarddog", "GuardDogCheck"),
    ("permissions", "wxreg.review.checks.permissions", "PermissionsCheck"),
    ("behaviour", "wxreg.review.behaviour.check", "BehaviourCheck"),
    ("dependencies", "wxreg.review.checks.dependencies", "DependenciesCheck"),
    ("compatibility", "wxreg.review.checks.compatibility", "CompatibilityCheck"),
    ("identity", "wxreg.review.checks.identity", "IdentityCheck"),
    ("ownership", "wxreg.review.checks.ownership", "OwnershipCheck"),
    ("mirror", "wxreg.review.checks.mirror", "MirrorCheck"),
)
"""(check name, module, class), in report order."""
_CLASSES = {cls: module for _, module, cls in CHECKS}


def default_check_names(*, guarddog: bool = False) -> tuple[str, ...]:
    """The names of the default checks, in report order, without importing any of them.

    ``guarddog``: also run GuardDog beside bandit (the policy's ``engines.guarddog``, off by default)."""
    return tuple(name for name, _, _ in CHECKS if guarddog or name != "guarddog")


def load_check(name: str) -> Check:
    """A new instance of the default check called ``name`` (its module imported now)."""
    for known, module, cls in CHECKS:
        if known == name:
            check: Check = getattr(import_module(module), cls)()
            return check
    raise KeyError(name)


def default_checks(*, guarddog: bool = False) -> tuple[Check, ...]:
    """All checks, in report order. Each is independent; a crash in one fails only that one."""
    return tuple(load_check(name) for name in default_check_names(guarddog=guarddog))


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        return getattr(import_module(_CLASSES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHECKS",
    "BehaviourCheck",
    "CompatibilityCheck",
    "DependenciesCheck",
    "FilesCheck",
    "GuardDogCheck",
    "IdentityCheck",
    "LicenceCheck",
    "ManifestCheck",
    "MirrorCheck",
    "OwnershipCheck",
    "PermissionsCheck",
    "SecurityCheck",
    "StructureCheck",
    "default_check_names",
    "default_checks",
    "load_check",
]
