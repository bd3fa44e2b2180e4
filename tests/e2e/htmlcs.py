"""HTML_CodeSniffer (the checker pa11y runs) in the test's own page, next to axe.

The npm package comes from tests/e2e/package.json (installed by `make test` into
tests/e2e/node_modules); its HTMLCS.js is injected with Playwright and run on the live page.
"""

from __future__ import annotations

from pathlib import Path

HTMLCS_JS = (
    Path(__file__).resolve().parent / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
)
STANDARD = "WCAG2AA"
ERROR = 1  # HTMLCS.ERROR; 2 and 3 are warnings and notices (pa11y's default reports errors only)

_RUN = """standard => new Promise((resolve, reject) => {
  window.HTMLCS.process(standard, window.document, () => {
    try {
      resolve(window.HTMLCS.getMessages().filter(m => m.type === 1).map(m => ({
        code: m.code,
        message: m.msg,
        element: m.element && m.element.outerHTML ? m.element.outerHTML.slice(0, 200) : '',
      })));
    } catch (error) { reject(error); }
  });
})"""


def htmlcs_errors(page) -> list[dict]:
    """WCAG 2 AA errors HTML_CodeSniffer finds on the page as it is now (code, message, element)."""
    if not HTMLCS_JS.exists():
        raise AssertionError(
            f"{HTMLCS_JS} is missing: run `make test` (or `npm ci` in tests/e2e) to install it."
        )
    if not page.evaluate("typeof window.HTMLCS !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as a <script> tag: the app's
        # Content-Security-Policy (rightly) refuses inline scripts it does not know.
        page.evaluate(HTMLCS_JS.read_text(encoding="utf-8"))
    return page.evaluate(_RUN, STANDARD)
