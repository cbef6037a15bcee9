"""Every page of both example books' builds in Chromium: index.html, each invoice's HTML and
every report page load with no console error and no failed request, every link resolves,
nothing comes from another origin, charts are there with their text alternatives, and
axe-core (vendored, tests/browser/vendor/) finds no accessibility violation."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest

from browserkit import AXE, BOOKS

pytestmark = pytest.mark.xdist_group("browser")     # one worker: one browser, both books built once

# every page in one test would take half a minute: each group is split into shards of pages
SHARDS = [("index", 0, 1)] + [(group, k, 4) for group in ("invoices", "reports") for k in range(4)]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def pages_of(folder, group: str) -> list[str]:
    if group == "index":
        return ["index.html"]
    return sorted(p.relative_to(folder).as_posix() for p in (folder / group).rglob("*.html"))


@dataclass
class Visit:
    problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def visit(page, url: str, base: str) -> Visit:
    """Load url; every console error, page error, failed or refused request, and request to
    another origin is a problem."""
    found = Visit()
    page.on("console", lambda m: m.type == "error" and found.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: found.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: found.problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and found.problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("request", lambda r: r.url.startswith(base) or r.url.startswith("data:")
            or found.problems.append(f"request to another origin: {r.url}"))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    found.links = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    return found


def check_links(page, links: list[str], base: str, checked: dict[str, int]) -> list[str]:
    """Each link's target answers 200, and a #fragment names an element of its page."""
    problems = []
    for link in links:
        target, fragment = urldefrag(link)
        if not target.startswith(base):
            problems.append(f"link out of the site: {link}")
            continue
        if target not in checked:
            checked[target] = page.request.get(target).status
        if checked[target] != 200:
            problems.append(f"broken link ({checked[target]}): {link}")
        elif fragment and target == urldefrag(page.url)[0]:
            if not page.evaluate("id => !!document.getElementById(id)", fragment):
                problems.append(f"no element #{fragment} for {link}")
    return problems


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async tags => {
        const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3)
            .map(n => n.target.join(" ")).join(", ")}`);
    }""", AXE_TAGS)
    return found


@pytest.mark.parametrize("group,shard,shards", SHARDS, ids=[f"{g}-{k}" for g, k, _ in SHARDS])
@pytest.mark.parametrize("book", sorted(BOOKS))
def test_every_page_loads_clean_links_resolve_and_passes_axe(book, group, shard, shards, sites, page):
    folder, base = sites[book]
    every = pages_of(folder, group)
    assert every, f"{book}: no {group} page built"
    names = every[shard::shards]
    checked: dict[str, int] = {}
    problems = []
    for name in names:
        tab = page.context.new_page()      # listeners are per visit: a fresh tab for each page
        seen = visit(tab, base + name, base)
        problems += [f"{name}: {p}" for p in check_links(tab, seen.links, base, checked)]
        problems += [f"{name}: axe {v}" for v in axe_violations(tab)]
        problems += [f"{name}: {p}" for p in seen.problems]
        tab.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("book", sorted(BOOKS))
def test_every_page_is_reachable_from_the_index(book, sites):
    """Following links from index.html reaches every HTML page the build wrote (read as HTML:
    the links themselves are followed in the browser above)."""
    folder, _ = sites[book]
    todo, seen = ["index.html"], set()
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        for href in hrefs((folder / rel).read_text("utf-8")):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), urldefrag(href)[0]))
            if target.endswith(".html") and target not in seen:
                todo.append(target)
    built = {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}
    assert built - seen == set()
    assert any(u.startswith("reports/") for u in seen)


def hrefs(html: str) -> list[str]:
    found = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.extend(v for k, v in attrs if k == "href" and v)

    Links().feed(html)
    return found


@pytest.mark.parametrize("book", sorted(BOOKS))
def test_charts_are_drawn_and_have_text_alternatives(book, sites, page):
    """Each chart: an image that loaded, with alt text, a caption, its figures as a table next
    to it, and its own <title> and <desc> in the SVG."""
    folder, base = sites[book]
    charts = 0
    for name in pages_of(folder, "reports"):
        page.goto(base + name)
        for fig in page.query_selector_all("figure.chart"):
            charts += 1
            img = fig.query_selector("img")
            assert img.get_attribute("alt").strip(), name
            assert img.evaluate("i => i.complete && i.naturalWidth > 0"), f"{name}: chart did not load"
            assert fig.query_selector("figcaption").inner_text().strip(), name
            svg = page.request.get(img.evaluate("i => i.src")).text()
            assert "<title>" in svg and "<desc>" in svg and 'role="img"' in svg, name
            has_figures = fig.evaluate("""f => { const n = f.nextElementSibling;
                return !!n && (!!n.querySelector('table') || !!n.querySelector('a')); }""")
            assert has_figures, f"{name}: a chart with neither its table nor a link to it"
    assert charts >= 2, f"{book}: only {charts} chart(s) in the reports"


def test_report_pages_read_on_a_phone_and_in_print(sites, browser):
    """375 px wide: nothing wider than the screen (tables scroll inside their box); in print
    the navigation is left out and the chart fits the page."""
    folder, base = sites["navigli"]
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2)
    phone = context.new_page()
    for name in ("reports/index.html", "reports/all/hours.html"):
        phone.goto(base + name)
        wide = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{name} is {wide}px wider than a phone"
        assert phone.evaluate("() => getComputedStyle(document.querySelector('figure img')).maxWidth") != "none"
    phone.emulate_media(media="print")
    assert phone.evaluate("() => getComputedStyle(document.querySelector('nav')).display") == "none"
    context.close()
