"""The adversarial corpus (``tests/review/corpus``): every malicious case fails with its expected error,
every benign case passes, and no canary is ever written (nothing of a plugin runs).

Cases are reviewed from memory with every check except the two scanner subprocesses (bandit, pip-audit),
so the corpus proves our own analysis; a few cases also run end to end through git and both scanners.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.corpus import Case, case_files, fast_checks, load_cases, review_case
from tests.support.plugins import make_repo

from wxreg.review.engine import ReviewOptions, ReviewRequest, review
from wxreg.review.findings import Severity
from wxsandbox.osv import OsvStandIn

# supply/ cases need the dependency check and the registry of test_supply_corpus.py, which runs them.
MALICIOUS = [c for c in load_cases("malicious") if not c.name.startswith("supply/")]
BENIGN = [c for c in load_cases("benign") if not c.name.startswith("supply/")]


@pytest.fixture(scope="module")
def corpus_options(tmp_path_factory: pytest.TempPathFactory) -> ReviewOptions:
    from wxreg.review.policy import load_policy

    registry = tmp_path_factory.mktemp("registry")
    (registry / "plugins").mkdir()
    return ReviewOptions(policy=load_policy(), registry_dir=registry, checks=fast_checks())


def test_corpus_is_big_enough() -> None:
    groups = {case.name.split("/")[0] for case in MALICIOUS}
    assert len(MALICIOUS) >= 80 and len(BENIGN) >= 20
    assert {"dynamic", "capability", "parsing", "paths", "scoring"} <= groups
    assert all(case.expect for case in MALICIOUS)
    assert all("{CANARY}" in "".join(c for _, _, c in case.files) for case in MALICIOUS)


@pytest.mark.parametrize("case", MALICIOUS, ids=lambda c: c.name)
def test_malicious_case_fails(case: Case, corpus_options: ReviewOptions, tmp_path: Path) -> None:
    canary = tmp_path / "canary" / "CANARY"
    result = review_case(case, corpus_options, canary)
    errors = {f.id.split("/")[0] for f in result.findings if f.severity == Severity.ERROR}
    assert not result.passed
    assert errors & set(case.expect), (case.expect, sorted(errors), [f.message for f in result.findings][:8])
    assert not canary.exists()


@pytest.mark.parametrize("case", BENIGN, ids=lambda c: c.name)
def test_benign_case_passes(case: Case, corpus_options: ReviewOptions, tmp_path: Path) -> None:
    result = review_case(case, corpus_options, tmp_path / "CANARY")
    problems = [f"{f.id} {f.path}:{f.line} {f.message}" for f in result.findings if f.severity != Severity.INFO]
    assert result.passed and not problems, problems


END_TO_END = ("scoring/curl_pipe_sh", "scoring/many_mediums", "dynamic/vars_builtins", "paths/case_collision")


@pytest.mark.scanners
@pytest.mark.parametrize("name", END_TO_END)
def test_end_to_end_through_git_and_scanners(name: str, options: ReviewOptions, tmp_path: Path) -> None:
    """A few cases as real repositories, reviewed with bandit and pip-audit too."""
    case = next(c for c in MALICIOUS if c.name == name)
    canary = tmp_path / "CANARY"
    files = case_files(case, canary)
    repo = make_repo(tmp_path / "plugin", files, base=None)
    result = review(ReviewRequest(str(repo), "v1.0.0"), replace(options))
    errors = {f.id.split("/")[0] for f in result.findings if f.severity == Severity.ERROR}
    assert not result.passed and errors & set(case.expect)
    assert not canary.exists()
    bandit_ids = {f.id for f in result.findings if f.id.startswith("WXR-S101/")}
    if name == "scoring/many_mediums":
        assert "WXR-S101/B602" in bandit_ids  # each bandit test keeps its own id


def test_cli_exits_1_not_2_for_a_malicious_plugin(osv: OsvStandIn, tmp_path: Path) -> None:
    """The reviewer's exit status: 1 (a failed review to report), never 2 (could not review)."""
    from wxreg.review.cli import main

    case = next(c for c in MALICIOUS if c.name == "parsing/utf7_coding")
    canary = tmp_path / "CANARY"
    repo = make_repo(tmp_path / "plugin", case_files(case, canary), base=None)
    registry = tmp_path / "registry"
    (registry / "plugins").mkdir(parents=True)
    status = main(["--repo", str(repo), "--tag", "v1.0.0", "--json-out", str(tmp_path / "out.json"),
                   "--osv-url", osv.query_url, "--registry-dir", str(registry)])  # fmt: skip
    assert status == 1 and not canary.exists()
    assert "WXR-K001" in (tmp_path / "out.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("python_version", "passes"),
    [(">=3.12", True), (">=3.11", False), (">=3.8,<3.12", False)],
)
def test_modern_syntax_passes_only_within_the_declared_range(
    python_version: str, passes: bool, corpus_options: ReviewOptions, tmp_path: Path
) -> None:
    base = next(c for c in BENIGN if c.name == "plugins/type_alias_312")
    case = replace(base, manifest={**base.manifest, "python_version": python_version})
    result = review_case(case, corpus_options, tmp_path / "CANARY")
    ids = {f.id for f in result.findings if f.severity == Severity.ERROR}
    assert result.passed is passes, ids
    if not passes:
        assert ids & {"WXR-C002", "WXR-K008"}
