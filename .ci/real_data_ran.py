"""Fail when a test that reads real data was skipped (or never reported) in a pytest JUnit report.

Usage: python3 .ci/real_data_ran.py REPORT.xml

tests/conftest.py names each real-data test in the report (property
``real_data``). .ci/run calls this where ../shared exists: there every such
test must have run, whatever made it skip (a missing tool, a wrong path).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def skipped_real_data(report: str) -> tuple[int, list[str]]:
    """How many real-data tests the report holds, and the names of those that were skipped."""
    root = ET.parse(report).getroot()
    seen, skipped = 0, []
    for case in root.iter("testcase"):
        if not any(p.get("name") == "real_data" for p in case.iter("property")):
            continue
        seen += 1
        skip = case.find("skipped")
        if skip is not None:
            skipped.append(f"{case.get('classname')}::{case.get('name')}: {skip.get('message', '')}")
    return seen, skipped


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        seen, skipped = skipped_real_data(argv[1])
    except (OSError, ET.ParseError) as exc:
        print(f"{argv[1]}: no readable pytest report ({exc})", file=sys.stderr)
        return 1
    if seen == 0:
        print(f"{argv[1]}: no real-data test ran: ../shared is here, they must", file=sys.stderr)
        return 1
    if skipped:
        print(f"{len(skipped)} of {seen} real-data tests skipped while ../shared is here:", file=sys.stderr)
        for line in skipped:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"all {seen} real-data tests ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
