"""The PyPI stand-in answers PyPI's JSON API from its data set of real projects and yanked releases."""

from __future__ import annotations

import requests

from wxsandbox.pypi import PyPIStandIn, load_projects


def test_release_answers_as_pypi_does(pypi: PyPIStandIn) -> None:
    ok = requests.get(f"{pypi.url}/pypi/requests/2.32.3/json", timeout=5)
    assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("application/json")
    info = ok.json()["info"]
    assert (info["name"], info["version"], info["yanked"], info["yanked_reason"]) == ("requests", "2.32.3", False, None)
    yanked = requests.get(f"{pypi.url}/pypi/Requests/2.32.0/json", timeout=5).json()["info"]  # any spelling (PEP 503)
    assert yanked["yanked"] is True and "CVE-2024-35195" in yanked["yanked_reason"]
    assert requests.get(f"{pypi.url}/pypi/requests/2.99.0/json", timeout=5).status_code == 404
    missing = requests.get(f"{pypi.url}/pypi/reqeusts/2.32.3/json", timeout=5)
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
    assert ("/pypi/requests/2.32.3/json") in pypi.requests


def test_project_lists_every_release_and_the_newest_unyanked(pypi: PyPIStandIn) -> None:
    body = requests.get(f"{pypi.url}/pypi/pyyaml/json", timeout=5).json()
    assert {"5.3.1", "5.4", "6.0.2"} <= set(body["releases"])
    assert body["info"]["version"] == load_projects()["pyyaml"].versions[0]


def test_an_outage_is_an_error_answer(pypi: PyPIStandIn) -> None:
    pypi.fail_with(503)
    assert requests.get(f"{pypi.url}/pypi/requests/2.32.3/json", timeout=5).status_code == 503
    pypi.reset()
    assert requests.get(f"{pypi.url}/pypi/requests/2.32.3/json", timeout=5).status_code == 200
