"""The HTML report: every section filled from the data, all text escaped, nothing loaded
from outside, well-formed markup and SVG, and the same bytes every time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from tocsin.assess.score import Assessment
from tocsin.report.html import SECTIONS, render_html

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Structure(HTMLParser):
    """Checks that every element is closed in order, and collects ids, links and sections."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.sections: dict[str, str] = {}
        self._section: str | None = None
        self._text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, dict(attrs))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, dict(attrs))

    def _attrs(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tags.add(tag)
        if attrs.get("id"):
            self.ids.append(str(attrs["id"]))
        if tag == "a" and attrs.get("href"):
            self.links.append(str(attrs["href"]))
        if tag == "section":
            self._section = str(attrs.get("id"))
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag == "section" and self._section:
            self.sections[self._section] = " ".join("".join(self._text).split())
            self._section = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def parsed(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


def test_html_is_well_formed_with_unique_ids(html: str) -> None:
    page = parsed(html)
    assert html.startswith("<!DOCTYPE html>")
    assert not page.errors, page.errors[:5]
    assert not page.stack
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates


def test_every_section_is_present_and_filled(html: str) -> None:
    sections = parsed(html).sections
    assert [s for s, _ in SECTIONS] == list(sections)
    for name, text in sections.items():
        assert len(text) > 40, name


def test_sections_show_the_data(assessment: Assessment, html: str) -> None:
    sections = parsed(html).sections
    for h in assessment.case.hypotheses:
        assert h.title in sections["hypotheses"]
    leader = assessment.posterior.leader
    assert assessment.case.hypotheses[1].id == leader
    assert "Belarus stays put" in sections["bottom-line"]
    assert "likely" in sections["bottom-line"]
    for indicator in assessment.case.indicators:
        assert indicator.id in sections["indicators"]
    assert "not seen" in sections["indicators"]
    assert "mobilisation · Alexander Lukashenko" in sections["ach"]
    assert "M1: An analyst note" in sections["ach"]
    assert "Minsk" in sections["actors"]
    assert "Moscow [bold]" in sections["actors"]
    assert "Leverage <i>galore</i>" in sections["actors"]
    assert "q1" in sections["track-record"]
    assert "20,000" in sections["figures"]
    assert "about 45,000" in sections["figures"]
    assert "Brier" in sections["track-record"]
    assert "Admiralty" in sections["method"]
    for article in assessment.articles:
        assert article.title in sections["articles"]


def test_evidence_links_point_at_marks_in_the_articles(assessment: Assessment, html: str) -> None:
    page = parsed(html)
    sections = page.sections
    linked = [r for r in assessment.evidence if r.kind == "link"]
    assert linked
    for row in linked:
        assert row.text in sections["evidence"]
    markup_rows = [r for r in linked if "alert" in r.text]
    assert markup_rows, "the sentence carrying markup should be linked"
    anchors = [href[1:] for href in page.links if re.fullmatch(r"#a\d+-\d+", href)]
    assert {f"a{r.article_id}-{r.start}" for r in linked} <= set(anchors)
    for target in anchors:
        assert target in page.ids
        assert re.search(rf'<mark id="{target}" title="[^"]*">', html)
    internal = {href[1:] for href in page.links if href.startswith("#")}
    assert internal <= set(page.ids)


def test_text_from_articles_and_the_case_is_escaped(html: str) -> None:
    assert "<script" not in html.lower()
    assert "<b>" not in html
    assert "<em>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # case file
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # article
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;b&gt;markup&lt;/b&gt;" in html
    tags = parsed(html).tags
    assert "script" not in tags
    assert "b" not in tags
    assert "i" not in tags


def test_marked_article_text_is_escaped_inside_the_mark(html: str, markup_sentence: str) -> None:
    marks = re.findall(r"<mark [^>]*>(.*?)</mark>", html, flags=re.S)
    carrying = [m for m in marks if "alert" in m]
    assert carrying
    assert "&lt;script&gt;" in carrying[0]
    assert markup_sentence not in html


def test_no_external_resources(html: str) -> None:
    for match in re.finditer(r"https?://", html):
        before = html[max(0, match.start() - 20) : match.start()]
        assert re.search(r'xmlns(:\w+)?="$', before), html[match.start() - 60 : match.end() + 40]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, flags=re.I)
    assert "@import" not in html
    assert "url(http" not in html
    assert "<link" not in html
    assert "<iframe" not in html
    assert "<img" not in html


def test_charts_are_inline_svg_that_parses(html: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == 6
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "<script" not in svg
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html


def test_hypothesis_title_is_escaped_text_in_the_svg(html: str) -> None:
    (trajectory,) = [
        s for s in re.findall(r"<svg\b.*?</svg>", html, flags=re.S) if "trajectory" in s[:300]
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in trajectory
    texts = "".join(ET.fromstring(trajectory).itertext())
    assert "<script>alert(1)</script>" in texts
    assert "$5 & $6" in texts  # no mathtext: the dollars are kept as written


def test_same_assessment_renders_the_same_bytes(assessment: Assessment, html: str) -> None:
    assert render_html(assessment) == html
