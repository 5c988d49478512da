"""GET /rate_limit and GET / (the API root)."""

from __future__ import annotations

from typing import Any

from wxsandbox.github.router import Ctx, Router
from wxsandbox.http import Response


def rate_limit(ctx: Ctx) -> Response:
    limit, used, reset = ctx.hub.rate_status(ctx.actor, ctx.request.client_address)
    core = {"limit": limit, "used": used, "remaining": max(0, limit - used), "reset": reset}

    def other(cap: int) -> dict[str, Any]:
        return {"limit": cap, "used": 0, "remaining": cap, "reset": reset}

    return Response.json({
        "resources": {"core": core, "search": other(30), "graphql": other(limit), "integration_manifest": other(5000),
                      "code_search": other(10)},
        "rate": core,
    })


def root(ctx: Ctx) -> Response:
    """The API root's hypermedia index, pointing into the stand-in."""
    api, web = ctx.hub.urls.api, ctx.hub.urls.web
    return Response.json({
        "current_user_url": f"{api}/user",
        "current_user_authorizations_html_url": f"{web}/settings/connections/applications{{/client_id}}",
        "authorizations_url": f"{api}/authorizations",
        "code_search_url": f"{api}/search/code?q={{query}}{{&page,per_page,sort,order}}",
        "commit_search_url": f"{api}/search/commits?q={{query}}{{&page,per_page,sort,order}}",
        "emails_url": f"{api}/user/emails", "emojis_url": f"{api}/emojis", "events_url": f"{api}/events",
        "feeds_url": f"{api}/feeds", "followers_url": f"{api}/user/followers",
        "following_url": f"{api}/user/following{{/target}}", "gists_url": f"{api}/gists{{/gist_id}}",
        "hub_url": f"{api}/hub",
        "issue_search_url": f"{api}/search/issues?q={{query}}{{&page,per_page,sort,order}}",
        "issues_url": f"{api}/issues", "keys_url": f"{api}/user/keys",
        "label_search_url": f"{api}/search/labels?q={{query}}&repository_id={{repository_id}}{{&page,per_page}}",
        "notifications_url": f"{api}/notifications", "organization_url": f"{api}/orgs/{{org}}",
        "organization_repositories_url": f"{api}/orgs/{{org}}/repos{{?type,page,per_page,sort}}",
        "organization_teams_url": f"{api}/orgs/{{org}}/teams", "public_gists_url": f"{api}/gists/public",
        "rate_limit_url": f"{api}/rate_limit", "repository_url": f"{api}/repos/{{owner}}/{{repo}}",
        "repository_search_url": f"{api}/search/repositories?q={{query}}{{&page,per_page,sort,order}}",
        "current_user_repositories_url": f"{api}/user/repos{{?type,page,per_page,sort}}",
        "starred_url": f"{api}/user/starred{{/owner}}{{/repo}}", "starred_gists_url": f"{api}/gists/starred",
        "user_url": f"{api}/users/{{user}}", "user_organizations_url": f"{api}/user/orgs",
        "user_repositories_url": f"{api}/users/{{user}}/repos{{?type,page,per_page,sort}}",
        "user_search_url": f"{api}/search/users?q={{query}}{{&page,per_page,sort,order}}",
    })


def register(router: Router) -> None:
    router.add("GET", "/rate_limit", rate_limit)
    router.add("GET", "/", root)
