"""axe-core (tests/e2e/vendor/axe-core-4.14.1, test-only) finds no serious or critical
accessibility violation on any page a person uses, signed in or not, at desktop size."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.pages import site_with_data

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text()

# Every rule axe runs by default; only serious and critical findings fail the test, each
# reported with (up to five of) the elements it names.
RUN = """
  const result = await axe.run(document, { resultTypes: ["violations"] });
  const where = (v) => v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", ");
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${where(v)}`);
"""


def violations(page) -> list[str]:
    # Playwright evaluates outside the page's Content-Security-Policy, which forbids inline
    # scripts: axe is loaded and run inside one evaluated function, not by a <script> tag.
    return page.evaluate(f"async () => {{\n{AXE}\n{RUN}}}")


def test_no_serious_accessibility_violations(browser, login_page, live):
    """axe-core reports no serious or critical violation on any of the site's pages."""
    site = site_with_data()
    problems = {}
    page = login_page(site.user)
    for path in site.signed_in:
        assert page.goto(live.url + path).status == 200, path
        if found := violations(page):
            problems[path] = found
    guest = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860})
    try:
        page = guest.new_page()
        for path in site.anonymous:
            assert page.goto(live.url + path).status == 200, path
            if found := violations(page):
                problems[path] = found
    finally:
        guest.close()
    assert not problems, "\n".join(
        f"{path}: {p}" for path, found in problems.items() for p in found
    )
