"""The index check: every pin asked once, concurrently; anything but a clear answer fails closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.plugins import edit_manifest
from tests.support.review import ReviewFn, ids

from wxreg.review.index import Status, ask, ask_all
from wxsandbox.http import HttpServer, Request, Response
from wxsandbox.pypi import PyPIStandIn


def test_answers_of_the_index(pypi: PyPIStandIn) -> None:
    answers = ask_all(pypi.url, [("requests", "2.32.3"), ("requests", "2.32.0"), ("reqeusts", "2.32.3")], 5)
    assert [a.status for a in answers] == [Status.EXISTS, Status.YANKED, Status.MISSING]
    assert ask("http://127.0.0.1:9", "requests", "2.32.3", 2).status is Status.UNCHECKED  # nothing listens
    pypi.fail_with(502)
    assert ask(pypi.url, "requests", "2.32.3", 5) == ask(pypi.url, "requests", "2.32.3", 5)
    assert ask(pypi.url, "requests", "2.32.3", 5).status is Status.UNCHECKED


def test_an_answer_that_is_not_pypis_fails_closed() -> None:
    def app(request: Request) -> Response:
        return Response.text("<html>mirror maintenance</html>", content_type="text/html")

    with HttpServer(app) as server:
        assert ask(server.url, "requests", "2.32.3", 5).status is Status.UNCHECKED


@pytest.mark.scanners("dependencies")
def test_one_request_per_pin_and_an_outage_fails_the_review(review_plugin: ReviewFn, pypi: PyPIStandIn) -> None:
    deps = ["requests==2.32.3", "PyYAML==6.0.2"]
    files = {"requirements.txt": "\n".join(deps) + "\n", "plugin.json": edit_manifest(dependencies=deps),
             "main.py": Path(__file__).resolve().parents[2].joinpath("tests/fixtures/plugins/good-plugin/main.py")
             .read_text(encoding="utf-8") + "\nimport yaml  # noqa: F401\n"}  # fmt: skip
    result = review_plugin(files)
    assert result.passed, [f.message for f in result.findings if f.severity.value != "info"]
    assert sorted(pypi.requests) == ["/pypi/pyyaml/6.0.2/json", "/pypi/requests/2.32.3/json"]  # once each
    pypi.fail_with(503)
    failed = review_plugin(files)
    assert "WXR-D010" in ids(failed) and not failed.passed
    message = next(f.message for f in failed.findings if f.id == "WXR-D010")
    assert "无法向软件包索引核实" in message and "could not check" in message and "HTTP 503" in message


def test_a_release_404_is_confirmed_on_the_project_page(pypi: PyPIStandIn) -> None:
    """Some mirrors answer every per-release URL with an empty 404: the project page decides, both ways."""
    pypi.release_pages_missing()
    answers = ask_all(pypi.url, [("requests", "2.32.3"), ("requests", "2.32.0"), ("requests", "9.9.9"),
                                 ("reqeusts", "2.32.3")], 5)
    assert [a.status for a in answers] == [Status.EXISTS, Status.YANKED, Status.MISSING, Status.MISSING]
    assert "/pypi/requests/json" in pypi.requests  # the confirmation was asked for, not assumed


def test_a_release_404_with_an_unreadable_project_page_is_not_the_plugins_fault() -> None:
    def app(request: Request) -> Response:
        if request.path.endswith("/2.32.3/json"):
            return Response(404, b"", [("Content-Type", "text/plain")])
        return Response.text("<html>mirror maintenance</html>", content_type="text/html")

    with HttpServer(app) as server:
        assert ask(server.url, "requests", "2.32.3", 5).status is Status.UNCHECKED
