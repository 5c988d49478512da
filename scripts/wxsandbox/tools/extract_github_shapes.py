"""Extract the REST response schemas and webhook payload shapes the GitHub stand-in is checked against.

The source packages are large (the REST description alone is 13 MB), so the repository keeps only
the subset the stand-in implements, in ``tests/sandbox/data/``, and this script regenerates it:

    python scripts/wxsandbox/tools/extract_github_shapes.py            # npm-installs the pinned packages
    python scripts/wxsandbox/tools/extract_github_shapes.py --from DIR # reuse DIR/node_modules

Outputs ``github-openapi-subset.json`` (operations -> success-response schema, plus every component
schema they reference, OpenAPI 3.0 as published) and ``github-webhook-shapes.json`` (per event and
action, the key skeleton of a real example payload: leaves replaced by their JSON type).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

OPENAPI_PACKAGE = "@octokit/openapi"
OPENAPI_VERSION = "23.0.2"
WEBHOOKS_PACKAGE = "@octokit/webhooks-examples"
WEBHOOKS_VERSION = "7.6.1"

REPOS = "/repos/{owner}/{repo}"
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("GET", "/user"),
    ("GET", "/users/{username}"),
    ("GET", "/rate_limit"),
    ("GET", REPOS),
    ("GET", f"{REPOS}/issues"),
    ("POST", f"{REPOS}/issues"),
    ("GET", f"{REPOS}/issues/{{issue_number}}"),
    ("PATCH", f"{REPOS}/issues/{{issue_number}}"),
    ("GET", f"{REPOS}/issues/{{issue_number}}/comments"),
    ("POST", f"{REPOS}/issues/{{issue_number}}/comments"),
    ("GET", f"{REPOS}/issues/comments"),
    ("GET", f"{REPOS}/issues/comments/{{comment_id}}"),
    ("PATCH", f"{REPOS}/issues/comments/{{comment_id}}"),
    ("GET", f"{REPOS}/labels"),
    ("POST", f"{REPOS}/labels"),
    ("GET", f"{REPOS}/labels/{{name}}"),
    ("PATCH", f"{REPOS}/labels/{{name}}"),
    ("GET", f"{REPOS}/issues/{{issue_number}}/labels"),
    ("POST", f"{REPOS}/issues/{{issue_number}}/labels"),
    ("PUT", f"{REPOS}/issues/{{issue_number}}/labels"),
    ("DELETE", f"{REPOS}/issues/{{issue_number}}/labels/{{name}}"),
    ("GET", f"{REPOS}/collaborators/{{username}}/permission"),
    ("GET", f"{REPOS}/branches"),
    ("GET", f"{REPOS}/branches/{{branch}}"),
    ("GET", f"{REPOS}/git/ref/{{ref}}"),
    ("GET", f"{REPOS}/git/matching-refs/{{ref}}"),
    ("POST", f"{REPOS}/git/refs"),
    ("PATCH", f"{REPOS}/git/refs/{{ref}}"),
    ("POST", f"{REPOS}/git/blobs"),
    ("GET", f"{REPOS}/git/blobs/{{file_sha}}"),
    ("POST", f"{REPOS}/git/trees"),
    ("GET", f"{REPOS}/git/trees/{{tree_sha}}"),
    ("POST", f"{REPOS}/git/commits"),
    ("GET", f"{REPOS}/git/commits/{{commit_sha}}"),
    ("GET", f"{REPOS}/commits/{{ref}}"),
    ("GET", f"{REPOS}/contents/{{path}}"),
    ("PUT", f"{REPOS}/contents/{{path}}"),
    ("DELETE", f"{REPOS}/contents/{{path}}"),
    ("GET", f"{REPOS}/pulls"),
    ("POST", f"{REPOS}/pulls"),
    ("GET", f"{REPOS}/pulls/{{pull_number}}"),
    ("PATCH", f"{REPOS}/pulls/{{pull_number}}"),
    ("PUT", f"{REPOS}/pulls/{{pull_number}}/merge"),
    ("GET", f"{REPOS}/pulls/{{pull_number}}/files"),
    ("GET", f"{REPOS}/releases"),
    ("POST", f"{REPOS}/releases"),
    ("GET", f"{REPOS}/releases/latest"),
    ("GET", f"{REPOS}/releases/tags/{{tag}}"),
    ("GET", f"{REPOS}/releases/{{release_id}}"),
    ("PATCH", f"{REPOS}/releases/{{release_id}}"),
    ("POST", "/user/repos"),
    ("GET", f"{REPOS}/tags"),
    ("GET", f"{REPOS}/git/tags/{{tag_sha}}"),
    ("POST", f"{REPOS}/git/tags"),
    ("PUT", f"{REPOS}/issues/{{issue_number}}/lock"),
    ("DELETE", f"{REPOS}/issues/{{issue_number}}/lock"),
    ("POST", f"{REPOS}/actions/workflows/{{workflow_id}}/dispatches"),
    ("POST", f"{REPOS}/dispatches"),
    ("GET", f"{REPOS}/pulls/{{pull_number}}/merge"),
    ("GET", "/search/issues"),
    ("GET", f"{REPOS}/commits"),
    ("POST", f"{REPOS}/forks"),
    ("POST", f"{REPOS}/releases/{{release_id}}/assets"),
    ("GET", f"{REPOS}/releases/{{release_id}}/assets"),
    ("GET", f"{REPOS}/releases/assets/{{asset_id}}"),
    ("GET", "/"),
    ("GET", f"{REPOS}/collaborators/{{username}}"),
    ("PUT", f"{REPOS}/collaborators/{{username}}"),
    ("DELETE", f"{REPOS}/collaborators/{{username}}"),
    ("DELETE", f"{REPOS}/git/refs/{{ref}}"),
    ("DELETE", f"{REPOS}/issues/comments/{{comment_id}}"),
    ("DELETE", f"{REPOS}/labels/{{name}}"),
    ("DELETE", f"{REPOS}/issues/{{issue_number}}/labels"),
    ("DELETE", f"{REPOS}/releases/{{release_id}}"),
    ("DELETE", f"{REPOS}/releases/assets/{{asset_id}}"),
)
EXTRA_SCHEMAS = ("basic-error", "validation-error")
"""Error bodies, checked too."""

WEBHOOKS: tuple[tuple[str, str | None], ...] = (
    ("issues", "opened"), ("issues", "edited"), ("issues", "closed"), ("issues", "reopened"),
    ("issues", "labeled"), ("issues", "unlabeled"),
    ("issue_comment", "created"), ("issue_comment", "edited"), ("issue_comment", "deleted"),
    ("pull_request", "opened"), ("pull_request", "synchronize"), ("pull_request", "closed"),
    ("pull_request", "reopened"), ("pull_request", "labeled"),
    ("push", None), ("release", "created"), ("release", "published"), ("create", None), ("delete", None),
)
STAND_INS: dict[tuple[str, str | None], str | None] = {("issues", "closed"): "reopened"}
"""Actions the package has no example for, shaped like another action of the same event (same keys)."""
CONTEXT_KEYS = ("installation", "organization", "enterprise")
"""Top-level keys present only for app/org deliveries: not part of a user repository's payload."""


def npm_install(target: Path) -> Path:
    subprocess.run(["npm", "install", "--prefix", str(target), "--no-audit", "--no-fund", "--ignore-scripts",
                    f"{OPENAPI_PACKAGE}@{OPENAPI_VERSION}", f"{WEBHOOKS_PACKAGE}@{WEBHOOKS_VERSION}"], check=True)
    return target / "node_modules"


def _check_version(modules: Path, package: str, version: str) -> None:
    found = json.loads((modules / package / "package.json").read_text())["version"]
    if found != version:
        raise SystemExit(f"{package} is {found}, pinned {version}")


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def extract_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    operations: dict[str, dict[str, Any]] = {}
    for method, path in OPERATIONS:
        operation = spec["paths"][path][method.lower()]
        statuses: dict[str, Any] = {}
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            if "$ref" in response:
                response = _resolve(spec, response["$ref"])
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            statuses[status] = schema  # None: no body (204)
        operations[f"{method} {path}"] = {"operationId": operation.get("operationId"), "responses": statuses}
    schemas: dict[str, Any] = {}
    pending: set[str] = set()
    _refs(operations, pending)
    pending |= {f"#/components/schemas/{name}" for name in EXTRA_SCHEMAS}
    while pending:
        ref = pending.pop()
        name = ref.rsplit("/", 1)[-1]
        if not ref.startswith("#/components/schemas/") or name in schemas:
            continue
        schemas[name] = _resolve(spec, ref)
        more: set[str] = set()
        _refs(schemas[name], more)
        pending |= more
    return {
        "source": f"{OPENAPI_PACKAGE}@{OPENAPI_VERSION} generated/api.github.com.json",
        "openapi": spec["openapi"],
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def skeleton(value: Any) -> Any:
    """Keys kept, leaves replaced by their JSON type; a list keeps the skeleton of its first item."""
    if isinstance(value, dict):
        return {key: skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        return [skeleton(value[0])] if value else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def extract_webhooks(index: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {entry["name"]: entry for entry in index}
    shapes: dict[str, Any] = {}
    for name, action in WEBHOOKS:
        wanted = STAND_INS.get((name, action), action)
        examples = [ex for ex in by_name[name]["examples"] if ex.get("action") == wanted]
        if not examples:
            raise SystemExit(f"no example for {name}.{action}")
        # The plainest example: fewest app/org context keys, then the first.
        example = min(examples, key=lambda ex: sum(key in ex for key in CONTEXT_KEYS))
        if name == "push":
            branch = [ex for ex in examples if str(ex.get("ref", "")).startswith("refs/heads/") and ex.get("commits")]
            example = branch[0] if branch else example
        trimmed = {key: value for key, value in example.items() if key not in CONTEXT_KEYS}
        if wanted != action:
            trimmed["action"] = action
        shapes[f"{name}.{action}" if action else name] = skeleton(trimmed)
    return {"source": f"{WEBHOOKS_PACKAGE}@{WEBHOOKS_VERSION} api.github.com/index.json", "shapes": shapes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, help="a directory whose node_modules has the packages")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[3] / "tests/sandbox/data")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wxsandbox-npm-") as scratch:
        modules = args.source / "node_modules" if args.source else npm_install(Path(scratch))
        _check_version(modules, OPENAPI_PACKAGE, OPENAPI_VERSION)
        _check_version(modules, WEBHOOKS_PACKAGE, WEBHOOKS_VERSION)
        spec = json.loads((modules / OPENAPI_PACKAGE / "generated/api.github.com.json").read_text())
        index = json.loads((modules / WEBHOOKS_PACKAGE / "api.github.com/index.json").read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    for filename, document in (("github-openapi-subset.json", extract_openapi(spec)),
                               ("github-webhook-shapes.json", extract_webhooks(index))):
        (args.out / filename).write_text(json.dumps(document, indent=1, sort_keys=False, ensure_ascii=False) + "\n")
        print(f"wrote {args.out / filename}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
