"""Fail unless the tests named on the command line really ran and passed (not skipped) in a JUnit XML report.

pytest exits 0 when every test is skipped, and a skip for a missing tool (torch, Chromium) is
correct on a learner's machine but a silent hole in CI, where the tool is installed. So CI names
the tests each stage must have run:

    python .ci/expect_ran.py build/ci/full.xml test_matches_live_torch=30 browser/=4

Each argument is SUBSTRING=N: at least N test cases whose "classname::name" contains SUBSTRING
passed, and none of them was skipped. A report with no test cases at all is a failure too.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def outcomes(report: str) -> dict[str, str]:
    """{classname::name: passed | xfailed | skipped | failed} for every test case of the report."""
    result = {}
    for case in ET.parse(report).iter("testcase"):
        name = f"{case.get('classname', '').replace('.', '/')}::{case.get('name')}"
        skipped = case.find("skipped")
        if skipped is not None and skipped.get("type") == "pytest.xfail":
            # A (strict) xfail ran and failed as declared: not a skip, and not a pass either.
            result[name] = "xfailed"
        elif skipped is not None:
            result[name] = "skipped"
        elif case.find("failure") is not None or case.find("error") is not None:
            result[name] = "failed"
        else:
            result[name] = "passed"
    return result


def main(argv: list[str]) -> int:
    report, *expectations = argv
    cases = outcomes(report)
    problems = [] if cases else [f"{report} holds no test cases"]
    for expectation in expectations:
        substring, _, count = expectation.rpartition("=")
        matching = {name: outcome for name, outcome in cases.items() if substring in name}
        passed = sum(outcome == "passed" for outcome in matching.values())
        skipped = sorted(name for name, outcome in matching.items() if outcome == "skipped")
        if passed < int(count) or skipped:
            problems.append(f"{substring!r}: {passed} passed (expected at least {count}), "
                            f"{len(skipped)} skipped {skipped[:3]}")
    for problem in problems:
        print(f"expect_ran: {problem}", file=sys.stderr)
    print(f"expect_ran: {report}: {len(cases)} test cases; " + ("OK" if not problems else "FAILED"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
