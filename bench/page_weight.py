"""`make bench`, part four: the module page on a phone over a slow network.

An Arabic learner in Jordan (the first learner bench.journeys makes) signs in in
Chromium against gunicorn and opens their regional module of Forced Labor Awareness
once, then again under Chromium's DevTools network throttling with the numbers of
Lighthouse's slow 3G (400 ms round trip, 400 kbit/s down and up). Prints what the
repeat visit moved over the wire (sum of the encoded bytes of every response, from the
DevTools protocol; the page's own Resource Timing as a cross-check) and its first
contentful paint, against the goals: under 15 KB and under 3 s. Paint time depends on
the machine's load; bytes do not.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from bench.common import throwaway_database
from bench.journeys import PASSWORD, prepare
from bench.run import free_port, gunicorn, wait_ready
from tests.conftest import CHROMIUM_ARGS

GOAL_BYTES = 15 * 1024
GOAL_PAINT_MS = 3000
KBIT = 1024 / 8  # bytes per second in one kbit/s, as Lighthouse counts
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * KBIT, "uploadThroughput": 400 * KBIT}
LEARNER = "journey-0"  # bench.journeys.PEOPLE[0]: Arabic, Jordan
MODULE = "/courses/forced_labor/modules/risks-in-your-region"
TIMING = """() => {
  const navigation = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    transfer: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    html: navigation.encodedBodySize,
    paint: paint ? paint.startTime : null,
  };
}"""


class Wire:
    """Bytes received per visit, as the DevTools protocol reports them."""

    def __init__(self, cdp):
        self.cdp = cdp
        self.urls: dict[str, str] = {}  #: request id -> path and status
        self.received: list[tuple[str, int]] = []  #: (path and status, bytes) of each response
        cdp.on("Network.responseReceived", self.response)
        cdp.on("Network.loadingFinished", self.finished)
        cdp.send("Network.enable")

    def response(self, event: dict) -> None:
        url, status = event["response"]["url"], event["response"]["status"]
        self.urls[event["requestId"]] = f"{url.split('/', 3)[-1].split('?')[0] or '/'} {status}"

    def finished(self, event: dict) -> None:
        self.received.append((self.urls.get(event["requestId"], "?"), int(event["encodedDataLength"])))

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.received)

    def reset(self) -> None:
        self.received = []


def visit(page, wire: Wire, url: str) -> dict:
    wire.reset()
    page.goto(url, wait_until="load")
    measured = page.evaluate(TIMING)
    page.wait_for_load_state("networkidle")  # the favicon too, before the next visit counts
    listing = ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in wire.received)
    return {**measured, "wire": wire.bytes, "responses": len(wire.received), "listing": listing}


def measure(base: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        page = context.new_page()
        wire = Wire(context.new_cdp_session(page))
        cold = visit(page, wire, f"{base}/login")  # nothing cached yet
        page.fill("#login", LEARNER)
        page.fill("#password", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{base}/training")
        first = visit(page, wire, base + MODULE)
        wire.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        repeat = visit(page, wire, base + MODULE)
        browser.close()
    return {"cold": cold, "first": first, "repeat": repeat}


def report(results: dict) -> None:
    cold, first, repeat = results["cold"], results["first"], results["repeat"]
    print("\nmodule page on a phone (360 x 740, Chromium), Arabic learner, regional module")
    print(f"sign-in page, empty cache: {cold['wire'] / 1024:.1f} KB over the wire: {cold['listing']}")
    print(
        f"module page, first visit: {first['wire'] / 1024:.1f} KB (HTML {first['html'] / 1024:.1f} KB compressed): "
        f"{first['listing']}"
    )
    print("repeat visit under slow 3G (400 ms RTT, 400 kbit/s down and up):")
    print(f"{'':24} {'goal':>10} {'measured':>10}")
    print(
        f"{'transferred':24} {GOAL_BYTES / 1024:>7.1f} KB {repeat['wire'] / 1024:>7.1f} KB"
        f"   (Resource Timing says {repeat['transfer'] / 1024:.1f} KB)"
    )
    print(f"{'':24} {repeat['responses']} responses: {repeat['listing']}")
    paint = repeat["paint"]
    shown = f"{paint / 1000:>8.2f} s" if paint is not None else "      none"
    print(f"{'first contentful paint':24} {GOAL_PAINT_MS / 1000:>8.1f} s {shown}   (depends on the machine's load)")
    met = repeat["wire"] <= GOAL_BYTES and paint is not None and paint <= GOAL_PAINT_MS
    print("goals met" if met else "goals NOT met")
    sys.stdout.flush()


def main() -> None:
    with throwaway_database("elearn-weight") as (_url, work, env):
        os.environ.update(env)
        prepare(env, 1)
        port = free_port()
        server = gunicorn("elearn:create_app()", port, env, Path(work) / "app.log")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/healthz")
            results = measure(base)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
    report(results)


if __name__ == "__main__":
    main()
