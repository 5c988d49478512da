"""What each engine catches on the adversarial corpus (``tests/review/corpus``): bandit alone, GuardDog
alone, and the whole review, on every malicious and every benign case.

Each case is reviewed once, from memory, with every check (bandit, GuardDog turned on for this table,
pip-audit against the sandbox's OSV stand-in, the package index through its PyPI stand-in, identity against
the registry of ``tests/review/test_supply_corpus.py``). The engines' verdicts are read from the findings they produced:

- bandit alone: any bandit result (its exit status), and any of MEDIUM or HIGH severity (``bandit -ll``);
- GuardDog alone: any ``threat-*`` rule matched (its ``capability-*`` rules describe, they do not accuse);
- the review: failed, with and without GuardDog's findings.

A measurement, not a bound: not part of ``run_all.py``. It takes a few minutes (one review per case).
Usage: ``.venv/bin/python bench/engine_table.py [--jobs N] [--only supply/]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))  # the test support package, ``tests.support``

from tests.support.corpus import (  # noqa: E402
    Case,
    load_cases,
    review_case,
    supply_registry,
)

from wxreg.review.context import ToolConfig  # noqa: E402
from wxreg.review.engine import ReviewOptions, ReviewResult  # noqa: E402
from wxreg.review.findings import Severity  # noqa: E402
from wxreg.review.policy import load_policy  # noqa: E402
from wxsandbox.osv import OsvStandIn  # noqa: E402
from wxsandbox.pypi import PyPIStandIn  # noqa: E402


@dataclass(frozen=True)
class Verdict:
    case: str
    kind: str
    bandit_any: bool
    bandit_medium: bool
    guarddog: bool
    review: bool
    review_without_guarddog: bool


def verdict(case: Case, result: ReviewResult) -> Verdict:
    bandit = [f for f in result.findings if f.id.startswith("WXR-S101")]
    errors_without_guarddog = [f for f in result.findings if f.severity == Severity.ERROR and f.id != "WXR-S105"]
    return Verdict(
        case=case.name,
        kind=case.kind,
        bandit_any=bool(bandit),
        bandit_medium=any("(MEDIUM/" in f.message_en or "(HIGH/" in f.message_en for f in bandit),
        guarddog=any(f.id == "WXR-S105" for f in result.findings),
        review=not result.passed,
        review_without_guarddog=bool(errors_without_guarddog) or result.commit is None,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1, help="cases reviewed at once (default 1: the machine is shared)")
    parser.add_argument("--only", default="", help="only cases whose name starts with this (e.g. supply/)")
    args = parser.parse_args()
    cases = [c for c in load_cases("malicious") + load_cases("benign") if c.name.startswith(args.only)]
    with tempfile.TemporaryDirectory(prefix="engine-table-") as tmp, OsvStandIn() as osv, PyPIStandIn() as pypi:
        os.environ["WXREG_PYPI_URL"] = pypi.url
        options = ReviewOptions(
            policy=replace(load_policy(), guarddog=True),  # GuardDog is off by default: on here, to compare
            tools=ToolConfig(osv_url=osv.query_url, pypi_url=pypi.url),
            registry_dir=supply_registry(Path(tmp) / "registry"),
        )

        def one(case: Case) -> Verdict:
            canary = Path(tmp) / "canary" / case.name.replace("/", "_")
            result = review_case(case, replace(options), canary)
            if canary.exists():
                raise SystemExit(f"canary written by {case.name}: plugin code ran")
            return verdict(case, result)

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            verdicts = list(pool.map(one, cases))
    malicious = [v for v in verdicts if v.kind == "malicious"]
    benign = [v for v in verdicts if v.kind == "benign"]
    rows = (
        ("bandit alone (any result)", "bandit_any"),
        ("bandit alone (MEDIUM or HIGH, -ll)", "bandit_medium"),
        ("GuardDog alone (threat-* rules)", "guarddog"),
        ("our review without GuardDog", "review_without_guarddog"),
        ("our review (with GuardDog)", "review"),
    )
    scope = f" ({args.only})" if args.only else ""
    print(f"corpus: {len(malicious)} malicious, {len(benign)} benign cases{scope}")
    print(f"| engine | malicious flagged (of {len(malicious)}) | benign flagged falsely (of {len(benign)}) |")
    print("|---|---|---|")
    for label, attribute in rows:
        caught = sum(getattr(v, attribute) for v in malicious)
        false = sum(getattr(v, attribute) for v in benign)
        print(f"| {label} | {caught} | {false} |")
    only_guarddog = [v.case for v in malicious if v.review and not v.review_without_guarddog]
    missed = [v.case for v in malicious if not v.review]
    false_positives = [v.case for v in benign if v.review]
    print(f"caught only because of GuardDog: {', '.join(only_guarddog) or 'none'}")
    print(f"malicious cases the review passes: {', '.join(missed) or 'none'}")
    print(f"benign cases the review fails: {', '.join(false_positives) or 'none'}")
    gd_false = [v.case for v in benign if v.guarddog]
    print(f"benign cases GuardDog flags: {', '.join(gd_false) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
