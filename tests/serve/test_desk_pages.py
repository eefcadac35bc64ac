"""The cases page and the case desk, through the application (no browser)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_good_article
from tests.serve.conftest import CASE, DeskClient

from tocsin.assess.assessment import assess
from tocsin.assess.case import bundled_case_path, load_case
from tocsin.config import Config
from tocsin.ingest.pipeline import ingest
from tocsin.report.html import render_html
from tocsin.report.markdown import render_markdown
from tocsin.serve.state import Desk
from tocsin.store.db import Store


def test_cases_page_lists_the_assessed_case(client: DeskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/cases/{CASE}"' in page.text
    assert "Will Belarus" in page.text
    assert "H2" in page.text  # the leader of the recorded assessment


def test_case_desk_shows_the_bottom_line_and_time_travel(client: DeskClient) -> None:
    now = client.get(f"/cases/{CASE}")
    assert now.status_code == 200
    assert "the leading hypothesis is H2" in now.text
    back = client.get(f"/cases/{CASE}?as_of=2022-02-20")
    assert back.status_code == 200
    assert "On the evidence to 2022-02-20" in back.text
    assert back.text != now.text


def test_a_bad_date_or_an_unknown_case_is_a_clear_error(client: DeskClient) -> None:
    bad = client.get(f"/cases/{CASE}?as_of=yesterday")
    assert bad.status_code == 422
    assert "as_of must be a date" in bad.text
    missing = client.get("/cases/no-such-case")
    assert missing.status_code == 404
    assert "no case" in missing.text


def test_charts_are_svg_images_under_their_own_policy(client: DeskClient) -> None:
    chart = client.get(f"/cases/{CASE}/chart/trajectory.svg")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "script-src" not in chart.headers["content-security-policy"]
    assert client.get(f"/cases/{CASE}/chart/nothing.svg").status_code == 404


def test_report_and_brief_download(client: DeskClient) -> None:
    html = client.get(f"/cases/{CASE}/report.html")
    assert html.status_code == 200
    assert "attachment" in html.headers["content-disposition"]
    assert html.text.startswith("<!DOCTYPE html>")
    brief = client.get(f"/cases/{CASE}/brief.md")
    assert brief.status_code == 200
    assert brief.headers["content-type"].startswith("text/markdown")


def test_the_downloads_are_tocsin_reports_with_every_article_text(
    client: DeskClient, desk_db: Path, tmp_path: Path
) -> None:
    """An article no link points into is in the report with its words, as `tocsin report`
    has it, though the desk's own assessment does not read its text."""
    page = tmp_path / "unlinked.html"
    page.write_text(make_good_article(7, "Harvest festival in Grodno"), encoding="utf-8")
    with Store.open(desk_db) as store:
        ingest([page], store=store, config=Config.load(workers=1))
        case = load_case(bundled_case_path())
        expected_html = render_html(assess(store, case))
        expected_md = render_markdown(assess(store, case))
    html = client.get(f"/cases/{CASE}/report.html").text
    assert html == expected_html
    assert "Harvest festival in Grodno" in html
    assert client.get(f"/cases/{CASE}/brief.md").text == expected_md
    desk = Desk(desk_db)
    kept = {a.title: a.text for a in desk.assessment(CASE).articles}
    desk.close()
    assert kept["Harvest festival in Grodno"] == ""  # the desk reads linked texts only


def test_summary_json_follows_the_store(client: DeskClient) -> None:
    first = client.get(f"/cases/{CASE}/summary.json").json()
    assert first["leader"] == "H2"
    assert abs(sum(first["posterior"].values()) - 1) < 1e-9
