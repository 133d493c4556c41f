"""Checks of a rendered page that the browser tests and tools/screenshots.py share.

axe-core comes from npm (tests/axe/package.json with its lock file; installed by
tools/install-test-deps.sh) and is injected into the page, so the check runs the
same engine wherever the tests run.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# One page of each kind in a built site (paths relative to the site folder).
PAGE_KINDS = {
    "home": "index.html",
    "case": "cases/JMS-2024-002.html",
    "all-cases": "cases/index.html",
    "browse": "browse/index.html",
    "dimension": "browse/area/index.html",
    "value": "browse/area/司法公正.html",
    "keywords": "browse/keyword/index.html",
    "statutes": "browse/statute/index.html",
    "ledger": "ledger.html",
    "clues": "clues.html",
    "compilation": "compilation/index.html",
    "compilation-year": "compilation/2024.html",
    "about": "about.html",
    "search-page": "find.html",
}


def axe_available() -> bool:
    return AXE_JS.is_file()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the page as loaded, limited to these impacts: [{id, impact, help, targets}]."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text("utf-8"))
    result = page.evaluate("async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                           " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                           " targets: v.nodes.map(n => n.target.join(' '))})); }")
    return [v for v in result if v["impact"] in impacts]


def overflow(page) -> dict:
    """How far the page (document, or any element) reaches past the viewport's right edge."""
    return page.evaluate("""() => {
        const vw = document.documentElement.clientWidth;
        let worst = null, widest = 0;
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || style.display === 'none') continue;
            let p = el.parentElement, clipped = false;
            while (p && p !== document.body) {
                const s = getComputedStyle(p);
                if (/(auto|scroll|hidden|clip)/.test(s.overflowX)) { const pr = p.getBoundingClientRect();
                    if (pr.right <= vw + 0.5) { clipped = true; break; } }
                p = p.parentElement;
            }
            if (!clipped && r.right > widest) { widest = r.right; worst = el.tagName.toLowerCase()
                + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''); }
        }
        return {viewport: vw, scroll_width: document.documentElement.scrollWidth, widest: Math.round(widest), element: worst};
    }""")
