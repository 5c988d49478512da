"""The behaviour check's endpoints and waivers end to end: the sticky comment's "网络端点 / Endpoints"
section, the review record, the registry entry (top level), and a maintainer's ``/waive`` of a chat
webhook or a raw IP address through the GitHub stand-in (a non-maintainer's waive changes nothing)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_submission import good_body
from tests.support.corpus import MemorySource, fast_checks
from tests.support.plugins import GOOD_PLUGIN

from wxreg.approval.entry import Forges, ReviewedRelease, build_entry
from wxreg.config import REPO_ROOT
from wxreg.models import ModelError, PluginEntry
from wxreg.review.behaviour import published_endpoints
from wxreg.review.engine import ReviewOptions, ReviewRequest, ReviewResult, review
from wxreg.review.findings import Severity
from wxreg.review.report import MARKER, parse_record, render_markdown
from wxreg.review.submission import Submission

REGISTRY = "wxauto-mgt/plugin-registry"

# An honest client of a documented API, plus what the rules refuse unless a maintainer waives it.
API_CODE = '''

CHAT_API = "https://api.example.com/v1/chat"


def ask(question: str) -> str:
    reply = requests.post(CHAT_API, json={"q": question}, timeout=10)
    return str(reply.json().get("a", ""))
'''
RISKY_CODE = '''

HOOK = "https://discord.com/api/webhooks/1234567890/abcDEF"


def notify(text: str) -> None:
    requests.post(HOOK, json={"content": text}, timeout=5)


def mirror(text: str) -> None:
    requests.post("https://203.0.113.7:8443/collect", json={"t": text}, timeout=5)
'''


def plugin_files(extra: str) -> dict[str, bytes]:
    files = {
        p.relative_to(GOOD_PLUGIN).as_posix(): p.read_bytes() for p in sorted(GOOD_PLUGIN.rglob("*")) if p.is_file()
    }
    files["main.py"] += extra.encode("utf-8")
    return files


def review_files(files: dict[str, bytes], options: ReviewOptions) -> ReviewResult:
    return review(ReviewRequest("corpus", "v1.0.0"), replace(options, source=MemorySource(files), checks=fast_checks()))


def test_endpoints_are_listed_in_the_comment_and_kept_in_the_record(options: ReviewOptions) -> None:
    result = review_files(plugin_files(API_CODE), options)
    assert result.passed, [f.message_en for f in result.findings if f.severity == Severity.ERROR]
    values = {e.value for e in result.endpoints}
    assert {"https://api.example.com/v1/chat", "https://api.quotable.io/random"} <= values
    text = render_markdown(result)
    section = text.split("### 网络端点 / Endpoints", 1)[1].split("###", 1)[0]
    chat = next(e for e in result.endpoints if e.value == "https://api.example.com/v1/chat")
    assert "`https://api.example.com/v1/chat`" in section and f"`main.py#L{chat.line}`" in section
    record = parse_record(text)
    assert record is not None
    assert record["endpoints"] == list(published_endpoints(result.endpoints))
    assert "https://api.example.com" in record["endpoints"] and "https://api.quotable.io" in record["endpoints"]
    assert render_markdown(review_files(plugin_files(API_CODE), options)) == text  # deterministic


def test_a_plugin_that_names_no_endpoint_says_so(options: ReviewOptions) -> None:
    files = plugin_files("")
    files["main.py"] = files["main.py"].replace(b"https://api.quotable.io/random", b"")
    result = review_files(files, options)
    assert result.endpoints == ()
    text = render_markdown(result)
    assert "The code names no URL or host it can contact." in text
    record = parse_record(text)
    assert record is not None and record["endpoints"] == []


def _example_entry() -> tuple[dict[str, Any], dict[str, Any]]:
    schema = json.loads((REPO_ROOT / "schemas" / "registry.schema.json").read_text(encoding="utf-8"))
    registry = schema["examples"][0]
    return schema, registry


def test_record_endpoints_reach_the_entry_top_level_and_round_trip(options: ReviewOptions) -> None:
    import jsonschema

    result = review_files(plugin_files(API_CODE), options)
    record = parse_record(render_markdown(result))
    assert record is not None
    schema, registry = _example_entry()
    previous = PluginEntry.from_dict(registry["plugins"][0])
    record = {**record, "plugin_id": previous.plugin_id, "repo": previous.repository.primary.url,
              "version": "9.0.0", "tag": "v9.0.0", "commit": "c" * 40}
    release = ReviewedRelease.from_record(record)
    assert release.endpoints == tuple(record["endpoints"])
    manifest = json.loads((GOOD_PLUGIN / "plugin.json").read_text(encoding="utf-8"))
    forges = Forges("https://github.com", "https://api.github.com")
    entry = build_entry(release, Submission(plugin_id=previous.plugin_id), manifest, previous,
                        now="2026-05-01T00:00:00Z", issue=None, issue_url=None, forges=forges)
    data = entry.to_dict()
    assert data["endpoints"] == record["endpoints"]
    assert list(data)[-1] == "endpoints"  # registry-only data after the seed's keys, in a fixed order
    nested = [value for value in data.values() if isinstance(value, dict)]
    assert not any("endpoints" in value for value in nested)  # never inside an object the client parses
    assert PluginEntry.from_dict(data).to_dict() == data
    jsonschema.validate({**registry, "plugins": [data]}, schema)


def test_malformed_record_endpoints_are_dropped_and_bounded() -> None:
    base = {"plugin_id": "p", "version": "1.0.0", "repo": "https://github.com/a/p", "tag": "v1.0.0",
            "commit": "c" * 40, "digest": "sha256:" + "0" * 64, "security_score": 100, "quality_score": 100}
    assert ReviewedRelease.from_record({**base, "endpoints": "https://x.example"}).endpoints == ()
    mixed = ReviewedRelease.from_record({**base, "endpoints": ["https://a.example", 7, "", "https://a.example",
                                                               "x" * 301, "b.example"]})
    assert mixed.endpoints == ("https://a.example", "b.example")
    many = ReviewedRelease.from_record({**base, "endpoints": [f"h{i}.example" for i in range(150)]})
    assert len(many.endpoints) == 100


def test_schema_refuses_endpoints_that_are_not_a_list_of_strings() -> None:
    import jsonschema

    schema, registry = _example_entry()
    entry = dict(registry["plugins"][0])
    for bad in ("https://x.example", [1], ["a", "a"], [""], ["x" * 301]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**registry, "plugins": [{**entry, "endpoints": bad}]}, schema)
    for bad in ("https://x.example", [1]):  # the model refuses wrong types too (duplicates are the schema's)
        with pytest.raises(ModelError):
            PluginEntry.from_dict({**entry, "endpoints": bad})


# --- /waive of a chat webhook (WXR-B004) and a raw IP (WXR-B005) through the GitHub stand-in --------

from tests.support.review import Forge  # noqa: E402

from wxreg.review.github import SUBMISSION_LABEL, GitHubConfig, GitHubReviewer  # noqa: E402
from wxsandbox.github import server as standin  # noqa: E402


@pytest.fixture
def forge(tmp_path: Path, options: ReviewOptions) -> Iterator[Forge]:
    plugin = tmp_path / "plugin"
    shutil.copytree(GOOD_PLUGIN, plugin)
    (plugin / "main.py").write_bytes(plugin_files(RISKY_CODE)["main.py"])
    gh = standin.GitHubStandIn(tmp_path / "github").start()
    try:
        for login in ("wxauto-mgt", "maintainer", "author", "triager"):
            gh.add_user(login)
        gh.create_repo("wxauto-mgt", "plugin-registry")
        gh.set_role(REGISTRY, "maintainer", "maintain")
        gh.set_role(REGISTRY, "triager", "triage")
        gh.create_repo("author", "daily-quote-reply")
        gh.push_directory("author/daily-quote-reply", plugin, tag="v1.0.0")
        policy = options.policy.with_extra_url_prefixes((gh.url + "/",))
        config = GitHubConfig(token=gh.bot_token, repo=REGISTRY, api_url=gh.api_url, web_url=gh.url,
                              bot_login=gh.bot_login, throttle=False)
        reviewer = GitHubReviewer(config, replace(options, policy=policy, checks=fast_checks()))
        yield Forge(gh, reviewer, f"{gh.url}/author/daily-quote-reply")
    finally:
        gh.stop()


def test_only_a_maintainers_waive_turns_webhook_and_raw_ip_findings_green(forge: Forge) -> None:
    issue = forge.client("author").get_repo(REGISTRY).create_issue(
        title="[插件提交 / Plugin] Daily Quote", body=good_body(github_repo=forge.plugin_url))
    forge.client("maintainer").get_repo(REGISTRY).get_issue(issue.number).add_to_labels(SUBMISSION_LABEL)
    first = forge.reviewer.review_issue(issue.number)
    assert first.result is not None and not first.result.passed
    errors = {f.id for f in first.result.findings if f.severity == Severity.ERROR}
    assert errors == {"WXR-B004", "WXR-B005"}, errors
    assert {"https://discord.com", "https://203.0.113.7:8443"} <= set(first.result.record()["endpoints"])

    for login in ("author", "triager"):  # the submitter and a triager may not waive
        refused = forge.reviewer.waive(issue.number, login, "/waive WXR-B004 我自己的服务器 / my own server")
        assert refused.result is None and "may not waive" in (refused.skipped or "")
    [comment] = [c for c in forge.comments(issue.number) if MARKER in c.body]
    record = parse_record(comment.body)
    assert record is not None and record["passed"] is False and record["waivers"] == []

    half = forge.reviewer.waive(issue.number, "maintainer", "/waive WXR-B004 插件用途即推送到该频道 / posting there is "
                                                           "the documented purpose")
    assert half.result is not None and not half.result.passed  # the raw IP still fails it
    done = forge.reviewer.waive(issue.number, "maintainer", "/waive WXR-B005@main.py 作者的自建服务 / the author's "
                                                           "own service")
    assert done.result is not None and done.result.passed
    assert {w.finding_id for w in done.result.waivers} == {"WXR-B004", "WXR-B005"}
    [comment] = [c for c in forge.comments(issue.number) if MARKER in c.body]
    record = parse_record(comment.body)
    assert record is not None and record["passed"] is True
    assert {w["finding"] for w in record["waivers"]} == {"WXR-B004", "WXR-B005"}
    assert all(w["by"] == "maintainer" for w in record["waivers"])
    assert "https://discord.com" in record["endpoints"]  # a waived endpoint is still published


# --- the one walk per module sees what ast.walk sees ---------------------------------------------------
INDEX_SAMPLE = '''
import os, requests as rq
from .helpers import send as s

@decorate(call_in_decorator())
def f(a=default_call(), *, b: int = 2) -> annotation_call():
    """Doc with https://docs.example/ in it."""
    x = y = g(h(1))
    x: int = k()
    with open("p") as fh, ctx() as (c1, c2):
        fh.write(f"{a}{'https://in.fstring/'}")
    try:
        pass
    except handler_call() as err:
        lam = lambda q=lam_default(): inner(q)
    match m():
        case {"k": 1} if guard():
            [z for z in comp() if cond(z)]
    class K(Base, metaclass=meta()):
        attr = "ws://k.example/" + str(1)
    return "%s://%s" % ("https", host()), {**spread(), "k": v()}
'''


def test_the_index_sees_every_call_and_endpoint_candidate_once() -> None:
    import ast

    from wxreg.review.behaviour.index import assembled, index_module
    from wxreg.review.code import CodeFile

    item = CodeFile.from_bytes("pkg/sample.py", INDEX_SAMPLE.encode("utf-8"))
    tree = item.module()
    assert isinstance(tree, ast.Module)
    index = index_module(tree, item.nodes(), item.parents())  # the review's shared walk
    alone = index_module(tree)  # walked on its own (plain trees, the benchmark)
    assert [id(n) for n in alone.calls] == [id(n) for n in index.calls]
    assert alone.stmt_calls == index.stmt_calls and alone.stmt_stores == index.stmt_stores
    walked = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert sorted(map(id, index.calls)) == sorted(map(id, walked))
    urls = {id(n) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and "://" in n.value}
    wanted = urls | {id(n) for n in walked} | {id(n) for n in ast.walk(tree) if assembled(n)}
    assert sorted(id(node) for node in index.candidates) == sorted(wanted)
    # ancestors come before descendants, and inside() sees an ancestor within the statement
    position = {id(node): i for i, node in enumerate(index.candidates)}
    for node in index.candidates:
        for inner in ast.walk(node):
            if inner is not node and id(inner) in position:
                assert position[id(node)] < position[id(inner)]
                assert index.inside(inner, {id(node)}) and not index.inside(node, {id(inner)})
    # statements own the calls of their own expressions, not of decorators, defaults, handlers, guards
    function = tree.body[2]
    assert isinstance(function, ast.FunctionDef)
    owned = {id(call) for calls in index.stmt_calls.values() for call in calls}
    by_name = {call.func.id: id(call) for call in walked if isinstance(call.func, ast.Name)}
    for unowned in ("call_in_decorator", "default_call", "handler_call", "guard", "meta"):
        assert by_name[unowned] not in owned, unowned
    for own in ("g", "h", "k", "ctx", "inner", "lam_default", "m", "comp", "cond", "host", "spread", "v",
                "annotation_call"):
        assert by_name[own] in owned, own
    assert {name for names in index.stmt_stores.values() for name in names} >= {"x", "y", "lam", "z"}
    assert [(type(t).__name__, type(v).__name__) for t, v in index.binds][:2] == [("Name", "Call"), ("Name", "Call")]
