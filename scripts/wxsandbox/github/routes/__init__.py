"""REST route groups; each module registers its handlers on the router."""

from __future__ import annotations

import wxsandbox.github.routes.actions as actions
import wxsandbox.github.routes.branches as branches
import wxsandbox.github.routes.collaborators as collaborators
import wxsandbox.github.routes.comments as comments
import wxsandbox.github.routes.commits as commits
import wxsandbox.github.routes.contents as contents
import wxsandbox.github.routes.gitdata as gitdata
import wxsandbox.github.routes.issues as issues
import wxsandbox.github.routes.labels as labels
import wxsandbox.github.routes.meta as meta
import wxsandbox.github.routes.pages as pages
import wxsandbox.github.routes.pulls as pulls
import wxsandbox.github.routes.refs as refs
import wxsandbox.github.routes.releases as releases
import wxsandbox.github.routes.repos as repos
import wxsandbox.github.routes.search as search
import wxsandbox.github.routes.statuses as statuses
import wxsandbox.github.routes.users as users
from wxsandbox.github.router import Router

GROUPS = (users, repos, meta, issues, comments, labels, collaborators, statuses, branches, refs, gitdata, commits,
          contents, pulls, releases, actions, search, pages)


def register_all(router: Router) -> None:
    for group in GROUPS:
        group.register(router)
