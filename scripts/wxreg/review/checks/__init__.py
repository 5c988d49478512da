"""Every check of the review, one implementation of :class:`wxreg.review.context.Check` each."""

from __future__ import annotations

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


def default_checks() -> tuple[Check, ...]:
    """All checks, in report order. Each is independent; a crash in one fails only that one."""
    return (
        ManifestCheck(),
        StructureCheck(),
        FilesCheck(),
        LicenceCheck(),
        SecurityCheck(),
        GuardDogCheck(),  # beside bandit: the engine's pool runs both at once
        PermissionsCheck(),
        BehaviourCheck(),
        DependenciesCheck(),
        CompatibilityCheck(),
        IdentityCheck(),
        OwnershipCheck(),
        MirrorCheck(),
    )


__all__ = [
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
    "default_checks",
]
