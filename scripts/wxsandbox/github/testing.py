"""Helpers for tests against the stand-in: a recording event sink and a PyGithub client factory."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from wxsandbox.events import Event

if TYPE_CHECKING:
    from wxsandbox.github.server import GitHubStandIn


class RecordingSink:
    """An ``EventSink`` that keeps every delivered event, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[Event] = []

    def deliver(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def named(self, name: str, action: str | None = None) -> list[Event]:
        with self._lock:
            return [e for e in self.events if e.name == name and (action is None or e.payload.get("action") == action)]

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


def pygithub(gh: GitHubStandIn, token: str, **options: Any) -> Any:
    """A PyGithub client for the stand-in, without throttling or retries unless ``options`` say so."""
    import github

    settings: dict[str, Any] = {"retry": None, "seconds_between_requests": None, "seconds_between_writes": None}
    settings.update(options)
    return github.Github(auth=github.Auth.Token(token), base_url=gh.api_url, **settings)


def forge(gh: GitHubStandIn, token: str, repo: str, *, bot_login: str | None = None) -> Any:
    """Our production :class:`~wxreg.forge.github.GitHubForge` for ``repo`` on the stand-in, acting with ``token``
    (no throttling); ``bot_login`` is the login the token writes as (asked from the API when ``None``)."""
    from wxreg.forge.config import GitHubConfig
    from wxreg.forge.github import GitHubForge

    return GitHubForge(GitHubConfig(token=token, repo=repo, api_url=gh.api_url, web_url=gh.url,
                                    bot_login=bot_login, throttle=False))
