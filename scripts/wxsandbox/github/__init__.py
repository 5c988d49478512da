"""A local GitHub for tests: REST (PyGithub-compatible), git smart HTTP, raw files, webhook events, faults."""

from __future__ import annotations

from wxsandbox.github.clock import StepClock, system_clock
from wxsandbox.github.faults import Faults
from wxsandbox.github.server import GitHubStandIn
from wxsandbox.github.state import ROLES

__all__ = ["ROLES", "Faults", "GitHubStandIn", "StepClock", "system_clock"]
