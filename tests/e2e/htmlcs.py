"""HTML_CodeSniffer (WCAG2AA) in the browser tests: a second engine next to axe-core.

The npm package html_codesniffer is pinned in tests/e2e/package.json (+ lock) and installed into
tests/e2e/node_modules by the Makefile (`npm ci --prefix tests/e2e`, with the venv's npm).
"""

from __future__ import annotations

from pathlib import Path

HTMLCS_JS = (
    Path(__file__).resolve().parent / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"
)

_RUN = """
() => new Promise((resolve) => {
  window.HTMLCS.process('WCAG2AA', window.document, () => {
    const errors = window.HTMLCS.getMessages().filter((m) => m.type === window.HTMLCS.ERROR);
    resolve(errors.map((m) => ({
      code: m.code,
      message: m.msg,
      element: m.element && m.element.outerHTML
        ? m.element.outerHTML.slice(0, 200) : String(m.element),
    })));
  });
})
"""


def htmlcs_errors(page) -> list[dict]:
    """WCAG2AA errors HTML_CodeSniffer reports on the page (notices and warnings left out)."""
    if not HTMLCS_JS.exists():
        raise AssertionError(
            f"{HTMLCS_JS} is missing: run `PATH=$PWD/.venv/bin:$PATH npm ci --prefix tests/e2e`."
        )
    if not page.evaluate("() => typeof window.HTMLCS !== 'undefined'"):
        page.add_script_tag(content=HTMLCS_JS.read_text(encoding="utf-8"))
    return page.evaluate(_RUN)
