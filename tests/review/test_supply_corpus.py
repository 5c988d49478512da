"""The supply-chain and identity cases of the corpus (``corpus/{malicious,benign}/supply``).

Reviewed from memory with every check that concerns them: the dependency check against the sandbox's
PyPI stand-in (``WXREG_PYPI_URL``, real release lists and yanked flags) and OSV stand-in (real
advisories), identity against a registry with one listed and one removed plugin, and GuardDog for the
cases that expect it. bandit is left out (its verdicts are measured by ``bench/engine_table.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.corpus import Case, load_cases, review_case, supply_registry

from wxreg.review.checks import SecurityCheck, default_checks
from wxreg.review.context import Check, ToolConfig
from wxreg.review.engine import ReviewOptions
from wxreg.review.findings import Severity
from wxreg.review.policy import load_policy
from wxreg.review.report import render_markdown
from wxsandbox.osv import OsvStandIn

MALICIOUS = [c for c in load_cases("malicious") if c.name.startswith("supply/")]
BENIGN = [c for c in load_cases("benign") if c.name.startswith("supply/")]


def checks_for(case: Case) -> tuple[Check, ...]:
    wanted: list[Check] = []
    for check in default_checks(guarddog="WXR-S105" in case.expect):
        wanted.append(SecurityCheck(bandit=False) if isinstance(check, SecurityCheck) else check)
    return tuple(wanted)


@pytest.fixture(scope="module")
def supply_options(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewOptions]:
    with OsvStandIn() as osv:
        yield ReviewOptions(
            policy=load_policy(),
            tools=ToolConfig(osv_url=osv.query_url),
            registry_dir=supply_registry(tmp_path_factory.mktemp("registry")),
        )


def test_every_item_of_the_issue_has_a_case() -> None:
    expected = {c.name.split("/")[1]: c.expect for c in MALICIOUS}
    for prefix in ("typosquat", "nonexistent", "yanked", "runtime_pip", "undeclared", "confusable", "reserved",
                   "bidi", "zero_width", "bare_url", "exfil"):  # fmt: skip
        assert any(name.startswith(prefix) for name in expected), prefix
    assert len(BENIGN) >= 7


@pytest.mark.parametrize("case", MALICIOUS, ids=lambda c: c.name)
def test_supply_case_fails(case: Case, supply_options: ReviewOptions, tmp_path: Path) -> None:
    canary = tmp_path / "CANARY"
    result = review_case(case, replace(supply_options, checks=checks_for(case)), canary)
    errors = {f.id.split("/")[0] for f in result.findings if f.severity == Severity.ERROR}
    assert not result.passed
    assert errors & set(case.expect), (case.expect, sorted(errors), [f.message for f in result.findings][:8])
    assert not canary.exists()
    # Each problem once: no dependency is reported twice under the same id.
    keyed = [(f.id, f.message_en) for f in result.findings if f.check == "dependencies"]
    assert len(keyed) == len(set(keyed)), keyed


@pytest.mark.parametrize("case", BENIGN, ids=lambda c: c.name)
def test_supply_benign_case_passes(case: Case, supply_options: ReviewOptions, tmp_path: Path) -> None:
    result = review_case(case, replace(supply_options, checks=checks_for(case)), tmp_path / "CANARY")
    problems = [f"{f.id} {f.path}:{f.line} {f.message}" for f in result.findings if f.severity != Severity.INFO]
    assert result.passed and not problems, problems


def test_a_bare_url_from_plugin_data_is_not_linked(supply_options: ReviewOptions, tmp_path: Path) -> None:
    case = next(c for c in MALICIOUS if c.name == "supply/bare_url")
    result = review_case(case, replace(supply_options, checks=checks_for(case)), tmp_path / "CANARY")
    comment = render_markdown(result)
    assert "evil.example" in comment  # quoted in the finding, so the maintainer sees it ...
    assert not re.search(r"(?i)(https?://|www\.)evil", comment)  # ... but GitHub cannot autolink it


def test_typosquat_is_reported_once_not_also_as_missing(supply_options: ReviewOptions, tmp_path: Path) -> None:
    case = next(c for c in MALICIOUS if c.name == "supply/typosquat_transposed")
    result = review_case(case, replace(supply_options, checks=checks_for(case)), tmp_path / "CANARY")
    found = sorted(f.id for f in result.findings if f.check == "dependencies")
    # D011 for the squat (not D008 "not on the index" as well), D012 for the real `requests` it imports.
    assert found == ["WXR-D011", "WXR-D012"], found
