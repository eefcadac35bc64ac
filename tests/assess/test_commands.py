"""The assessment commands end to end on a copy of the demo store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tocsin.cli import main


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_assess_prints_json_and_the_human_summary(demo_db: Path) -> None:
    data = _json(_run("assess", "belarus-2022", "--db", str(demo_db), "--json"))
    assert data["leader"] == "H2"
    assert sum(data["posterior"].values()) == pytest.approx(1.0)
    assert {"indicators", "evidence", "ach", "sensitivity", "track_record"} <= set(data)
    human = _run("assess", "belarus-2022", "--db", str(demo_db), "--no-link")
    assert human.exit_code == 0, human.output
    assert "Belarus stays a platform for Russia" in human.output


def test_assess_as_of_a_date_before_any_article_gives_the_priors(demo_db: Path) -> None:
    args = ("assess", "belarus-2022", "--db", str(demo_db), "--json", "--no-embeddings")
    data = _json(_run(*args, "--as-of", "2022-01-01"))
    assert data["posterior"] == pytest.approx({"H1": 0.25, "H2": 0.6, "H3": 0.15})
    assert data["evidence"] == []
    assert _run(*args, "--as-of", "January").exit_code == 2


def test_evidence_decisions_from_the_command_line(demo_db: Path) -> None:
    db = ("--db", str(demo_db))
    made = _json(_run("evidence", "link", "belarus-2022", *db, "--json"))["links"]
    rows = _json(_run("evidence", "list", "belarus-2022", *db, "--json"))
    assert len(rows) == made > 0
    first, second = rows[0]["id"], rows[1]["id"]
    assert (
        _json(_run("evidence", "reject", "belarus-2022", str(first), *db, "--json"))["decision"]
        == "reject"
    )
    moved = _run("evidence", "relink", "belarus-2022", str(second), "exercises", *db, "--json")
    assert _json(moved)["indicator"] == "exercises"
    assert _run("evidence", "accept", "belarus-2022", "99999", *db).exit_code == 4
    bad = _run("evidence", "relink", "belarus-2022", str(second), "no-such-indicator", *db)
    assert bad.exit_code == 2
    _json(_run("evidence", "link", "belarus-2022", *db, "--json"))  # recompute
    after = _json(_run("evidence", "list", "belarus-2022", *db, "--json"))
    decided = {r["decision"] for r in after if r["decision"]}
    assert decided == {"reject", "relink"}
    mine = _json(
        _run("evidence", "list", "belarus-2022", *db, "--json", "--indicator", "exercises")
    )
    assert all("exercises" in (r["indicator_id"], r["new_indicator"]) for r in mine)
    table = _run("evidence", "list", "belarus-2022", *db)
    assert table.exit_code == 0
    assert "reject" in table.output


def test_resolve_checks_its_outcome_and_track_scores_it(demo_db: Path) -> None:
    db = ("--db", str(demo_db))
    assert _run("resolve", "belarus-2022", "main", "maybe", *db).exit_code == 2
    assert _run("resolve", "belarus-2022", "mobilisation-2022", "H1", *db).exit_code == 2
    assert _run("resolve", "belarus-2022", "no-such-question", "yes", *db).exit_code == 2
    done = _run("resolve", "belarus-2022", "main", "H1", "--on", "2023-12-31", *db, "--json")
    assert _json(done)["outcome"] == "H1"
    _json(_run("assess", "belarus-2022", *db, "--json", "--no-embeddings"))
    record = _json(_run("track", *db, "--json", "--case", "belarus-2022"))
    main_scores = [s for s in record["scores"] if s["question_id"] == "main"]
    assert main_scores
    assert all(s["outcome"] == "H1" for s in main_scores)
    assert record["calibration"]
    human = _run("track", *db)
    assert human.exit_code == 0
    assert "Calibration" in human.output


def test_report_writes_html_and_markdown(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = _json(_run("report", "belarus-2022", "--db", str(demo_db), "--out", str(out), "--json"))
    html = Path(data["html"]).read_text("utf-8")
    assert Path(data["markdown"]).exists()
    for section in ("bottom-line", "hypotheses", "ach", "indicators", "evidence", "actors"):
        assert f'id="{section}"' in html
    assert data["leader"] == "H2"


def test_assessment_commands_refuse_a_missing_database(tmp_path: Path) -> None:
    missing = str(tmp_path / "none.db")
    assert _run("assess", "belarus-2022", "--db", missing).exit_code == 3
    assert _run("evidence", "list", "belarus-2022", "--db", missing).exit_code == 3


def test_report_into_an_unwritable_place_fails_before_the_work(
    demo_db: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", "utf-8")
    result = _run("report", "belarus-2022", "--db", str(demo_db), "--out", str(blocker / "sub"))
    assert result.exit_code == 2
    assert "cannot write the report" in result.output


def test_resolve_needs_an_existing_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    assert _run("resolve", "belarus-2022", "main", "H2", "--db", str(missing)).exit_code == 3
    assert not missing.exists()


def test_a_case_the_actor_model_cannot_run_is_refused_by_check(tmp_path: Path) -> None:
    from tocsin.assess.case import bundled_case_path

    text = bundled_case_path().read_text("utf-8").replace("H1: [7, 10]", "H1: [7, 9]")
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    result = _run("case", "check", str(path))
    assert result.exit_code == 5  # invalid input, not a usage error
    assert "actor_model.outcomes" in result.output


def test_the_assessment_json_has_exactly_the_documented_keys(demo_db: Path) -> None:
    import re

    doc = (Path(__file__).parents[2] / "docs" / "formats.md").read_text("utf-8")
    table = doc.split("## Assessment JSON", 1)[1].split("\n## ", 1)[0]
    documented = {
        key
        for row in table.splitlines()
        if row.startswith("| `")
        for key in re.findall(r"`(\w+)`", row.split("|")[1])
    }
    data = _json(_run("assess", "belarus-2022", "--db", str(demo_db), "--json", "--no-link"))
    assert set(data) == documented


def test_listed_link_ids_are_accepted_as_printed(demo_db: Path) -> None:
    db = ("--db", str(demo_db))
    _json(_run("evidence", "link", "belarus-2022", *db, "--no-embeddings", "--json"))
    listed = _run("evidence", "list", "belarus-2022", *db)
    first = _json(_run("evidence", "list", "belarus-2022", *db, "--json"))[0]["id"]
    assert f"L{first}" in listed.output
    decided = _json(_run("evidence", "accept", "belarus-2022", f"L{first}", *db, "--json"))
    assert decided["link"] == first
    assert _run("evidence", "reject", "belarus-2022", "Lx1", *db).exit_code == 2
    missing = _run("evidence", "reject", "belarus-2022", "L99999", *db)
    assert missing.exit_code == 4
    assert "no link L99999" in missing.output


def test_an_assessment_without_link_or_record_writes_nothing(demo_db: Path) -> None:
    db = ("--db", str(demo_db))
    _json(_run("assess", "belarus-2022", *db, "--no-embeddings", "--json"))  # links current
    before = demo_db.read_bytes()
    args = ("assess", "belarus-2022", *db, "--no-embeddings", "--no-link", "--no-record")
    data = _json(_run(*args, "--json"))
    assert data["leader"] == "H2"
    assert demo_db.read_bytes() == before
