"""What the GitHub stand-in tells the workflow runner when something happens on a repository."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """One webhook delivery, as GitHub would send it to Actions."""

    name: str
    """The event name as workflows' ``on:`` spells it: ``issues``, ``pull_request``, ``push`` ..."""
    payload: Mapping[str, Any]
    """The webhook payload (``action``, ``repository``, ``sender`` ...), shaped like GitHub's."""
    repo_full_name: str
    ref: str
    """``GITHUB_REF`` for the run: the default branch for issue events, the pushed ref for pushes."""
    sha: str
    """The commit whose ``.github/workflows`` run and whose tree ``actions/checkout`` gives."""
    delivery_id: int


class EventSink(Protocol):
    """Receives events caused by users; events caused by the workflow token are never delivered."""

    def deliver(self, event: Event) -> None: ...
