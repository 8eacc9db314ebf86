"""Reads a JUnit XML file with junitparser (an independent reader from PyPI) and prints what it
understood as JSON: per suite its name, counts and properties, and per case its name, classname
and result. Used by tests/it/ci.rs so that pygrade's JUnit is checked by code pygrade did not write.
"""

import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite


def result_of(case):
    for result in case.result:
        kind = {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(result), "other")
        return {"kind": kind, "type": result.type, "message": result.message, "text": result.text}
    return {"kind": "passed"}


def main(path):
    xml = JUnitXml.fromfile(path)
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    out = []
    for suite in suites:
        out.append(
            {
                "name": suite.name,
                "tests": suite.tests,
                "failures": suite.failures,
                "errors": suite.errors,
                "properties": {p.name: p.value for p in suite.properties()},
                "cases": [
                    {"name": c.name, "classname": c.classname, **result_of(c)} for c in suite
                ],
            }
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
