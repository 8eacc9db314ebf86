#!/usr/bin/env python3
"""Checks a pygrade HTML batch report in a real headless Chromium, driven through chromedriver's
W3C WebDriver HTTP API with nothing but the standard library.

    check_html.py REPORT.html EXPECT.json [--chromium PATH] [--chromedriver PATH] [--screenshot OUT.png]

EXPECT.json holds what the report was rendered from: {"rows": [{"path", "score", "max",
"passed", "total"}, ...]} in the report's row order. The script loads the page over file://,
reads the score table back and compares it, clicks the Score heading (a real WebDriver element
click) and checks the rows are then sorted by score, clicks again and checks they are reversed,
checks both SVG charts are there and drawn, that the page loaded nothing, and that the browser
console holds no errors (when chromedriver hands out the log).

Exit status 0 when every check passes, 1 with the failures on stderr, 2 when the browser could
not be driven at all.
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

TIMEOUT = 60


class DriverError(Exception):
    pass


class WebDriver:
    """A minimal W3C WebDriver client: one chromedriver process, one session."""

    def __init__(self, chromedriver, chromium, profile):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [chromedriver, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.session = None
        self.wait_ready()
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1400,1000",
                    f"--user-data-dir={profile}",
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = value["sessionId"]

    def wait_ready(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DriverError(f"chromedriver exited with status {self.process.returncode}")
            try:
                if self.call("GET", "/status").get("ready"):
                    return
            except (DriverError, OSError):
                pass
            time.sleep(0.1)
        raise DriverError("chromedriver did not become ready")

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:2000]
            raise DriverError(f"{method} {path}: HTTP {error.code}: {detail}") from None
        except urllib.error.URLError as error:
            raise DriverError(f"{method} {path}: {error.reason}") from None
        return payload.get("value")

    def session_call(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def get(self, url):
        self.session_call("POST", "/url", {"url": url})

    def script(self, source, *args):
        return self.session_call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find(self, css):
        value = self.session_call("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(value.values()))

    def click(self, element):
        self.session_call("POST", f"/element/{element}/click", {})

    def attribute(self, element, name):
        return self.session_call("GET", f"/element/{element}/attribute/{name}")

    def browser_log(self):
        """The console entries, or None when this chromedriver does not hand them out."""
        try:
            return self.session_call("POST", "/se/log", {"type": "browser"})
        except DriverError:
            return None

    def screenshot(self, path):
        Path(path).write_bytes(base64.b64decode(self.session_call("GET", "/screenshot")))

    def quit(self):
        try:
            if self.session is not None:
                self.session_call("DELETE", "")
        except (DriverError, OSError):
            pass
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


READ_ROWS = """
return Array.from(document.querySelectorAll('#score-table tbody tr')).map(function (row) {
  var cells = Array.from(row.cells).map(function (c) { return c.textContent; });
  return {id: row.id, path: row.getAttribute('data-path'),
          score: Number(row.getAttribute('data-score')), max: Number(row.getAttribute('data-max')),
          passed: Number(row.getAttribute('data-passed')), cells: cells};
});
"""

READ_CHARTS = """
function box(id) {
  var svg = document.getElementById(id);
  if (!svg) { return null; }
  var r = svg.getBoundingClientRect();
  return {tag: svg.tagName.toLowerCase(), width: r.width, height: r.height,
          bars: svg.querySelectorAll('rect.bar').length,
          labels: Array.from(svg.querySelectorAll('text')).map(function (t) { return t.textContent; }),
          counts: Array.from(svg.querySelectorAll('[data-count]')).map(function (g) {
            return Number(g.getAttribute('data-count')); })};
}
return {histogram: box('score-histogram'), rates: box('pass-rate-chart'),
        resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })};
"""


class Checks:
    def __init__(self):
        self.failures = []

    def expect(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok


def check_rows(checks, rows, expected):
    got = [(r["path"], r["score"], r["max"], r["passed"]) for r in rows]
    want = [(r["path"], r["score"], r["max"], r["passed"]) for r in expected]
    checks.expect(got == want, f"score table rows {got} != expected {want}")
    for row, exp in zip(rows, expected):
        cells = [c.strip() for c in row["cells"]]
        shown = [exp["path"], str(exp["score"]), str(exp["max"]), f"{exp['passed']} / {exp['total']}"]
        checks.expect(
            [cells[0]] + cells[2:] == shown,
            f"row {row['id']} shows {cells}, expected {shown} (path, score, max, passed)",
        )


def check_sorting(checks, driver, initial):
    scores_before = [r["score"] for r in initial]
    checks.expect(
        scores_before != sorted(scores_before),
        f"precondition: the fixture's path order {scores_before} must not already be sorted by score",
    )
    heading = driver.find("#score-table th[data-key='score']")
    driver.click(heading)
    ascending = driver.script(READ_ROWS)
    scores = [r["score"] for r in ascending]
    checks.expect(scores == sorted(scores_before), f"after one click scores are {scores}")
    checks.expect(
        [r["id"] for r in ascending] != [r["id"] for r in initial], "the row order did not change"
    )
    checks.expect(
        driver.attribute(heading, "aria-sort") == "ascending", "Score heading not marked ascending"
    )
    driver.click(heading)
    descending = driver.script(READ_ROWS)
    checks.expect(
        [r["id"] for r in descending] == [r["id"] for r in reversed(ascending)],
        f"a second click did not reverse the order: {[r['score'] for r in descending]}",
    )
    checks.expect(
        driver.attribute(heading, "aria-sort") == "descending", "Score heading not marked descending"
    )
    return ascending


def check_charts(checks, charts, expected):
    for name in ("histogram", "rates"):
        chart = charts[name]
        if not checks.expect(chart is not None, f"the {name} chart is missing"):
            continue
        checks.expect(chart["tag"] == "svg", f"the {name} chart is a <{chart['tag']}>, not an <svg>")
        checks.expect(
            chart["width"] > 100 and chart["height"] > 50, f"the {name} chart is not drawn: {chart}"
        )
        checks.expect(chart["bars"] > 0, f"the {name} chart has no bars")
        checks.expect(any(t.strip() for t in chart["labels"]), f"the {name} chart has no labels")
    if charts["histogram"] is not None:
        total = sum(charts["histogram"]["counts"])
        checks.expect(total == len(expected), f"the histogram counts {total} candidates")
    checks.expect(not charts["resources"], f"the page loaded resources: {charts['resources']}")


def check_console(checks, driver):
    entries = driver.browser_log()
    if entries is None:
        print("check_html: this chromedriver does not hand out the browser log; console not checked")
        return
    errors = [e for e in entries if e.get("level") in ("SEVERE", "ERROR")]
    checks.expect(not errors, f"browser console errors: {errors}")


def run(args):
    expected = json.loads(Path(args.expect).read_text(encoding="utf-8"))["rows"]
    url = Path(args.report).resolve().as_uri()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="pygrade-chromium-") as profile:
        driver = WebDriver(args.chromedriver, args.chromium, profile)
        try:
            driver.get(url)
            title = driver.script("return document.title;")
            checks.expect(title.startswith("pygrade batch"), f"page title {title!r}")
            initial = driver.script(READ_ROWS)
            check_rows(checks, initial, expected)
            check_sorting(checks, driver, initial)
            check_charts(checks, driver.script(READ_CHARTS), expected)
            check_console(checks, driver)
            if args.screenshot:
                driver.screenshot(args.screenshot)
        finally:
            driver.quit()
    for failure in checks.failures:
        print(f"check_html: FAIL: {failure}", file=sys.stderr)
    if not checks.failures:
        print(f"check_html: ok ({len(expected)} rows, sorted both ways, charts drawn)")
    return 1 if checks.failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("expect")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument(
        "--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver"
    )
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    try:
        return run(args)
    except DriverError as error:
        print(f"check_html: could not drive the browser: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
