"""One small assessment for the whole session: three pasted articles (one carrying
markup), a case file with markup in its titles, extraction, then scoring."""

from __future__ import annotations

import pytest

from tocsin.assess.assessment import assess
from tocsin.assess.case import parse_case
from tocsin.assess.score import Assessment
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

MARKUP_SENTENCE = (
    'The release on mobilisation carried odd markup: <script>alert("x")</script>, '
    "<b>bold</b> and [bold]rich[/bold] tags."
)
ARTICLES = {
    "one.txt": f"""Minsk orders a check of mobilisation readiness
By Anna Writer
12 October 2022
Belarus announced a sudden check of mobilisation readiness on Tuesday, the defence ministry said.
The ministry said the check would last three days and involve reservists from several regions.
{MARKUP_SENTENCE}
Analysts said the army had 20,000 troops available for the exercise, officials said.
""",
    "two.txt": """Officials deny plans for a general call-up
By Ben Reporter
14 October 2022
President Alexander Lukashenko said there would be no mobilisation of reservists this year.
He said the army of about 45,000 troops was enough for the defence of the country.
Observers in Kyiv said the statement was meant to calm a nervous public before the winter.
""",
    "three.txt": """Russian troops arrive for joint drills
By Carla Journalist
16 October 2022
Thousands of Russian troops are arriving in Belarus for joint drills, the ministry said.
Satellite images showed a column of trucks moving toward the airfield near Minsk.
Local residents said the convoy took most of the day to pass through the village.
""",
}
TITLE = "Belarus mobilises $5 & $6 <script>alert(1)</script> <b>markup</b> [bold]x[/bold]"
CASE = r"""
id: report-test
question: Will Belarus mobilise its reserves? <b>markup</b>
resolution:
  criteria: Yes (H1) if a general mobilisation is declared by the deadline.
  deadline: 2022-12-31
outcome: H2
hypotheses:
  - id: H1
    title: "TITLE"
    description: A general call-up of reservists.
    prior: 0.4
  - id: H2
    title: Belarus stays put
    description: No general mobilisation.
    prior: 0.6
indicators:
  - id: mobilisation
    description: Mobilisation <script>alert(1)</script> checks or call-ups
    patterns: ['\bmobili[sz]ation\b']
    likelihoods: {H1: 0.8, H2: 0.3}
  - id: russian-troops
    description: Russian troops arrive in Belarus
    patterns: ['\brussian troops\b']
    likelihoods: {H1: 0.7, H2: 0.5}
  - id: unseen
    description: Something nobody reports
    patterns: ['\bnever mentioned anywhere\b']
    likelihoods: {H1: 0.5, H2: 0.4}
actors:
  - {id: minsk, name: Minsk, position: [3, 6, 5], salience: [0.5, 0.9], capability: [0.3, 0.5]}
  - {id: moscow, name: "Moscow [bold]", position: [6, 9, 8], salience: [0.5, 0.8],
     capability: [0.5, 0.7], note: "Leverage <i>galore</i>"}
actor_model:
  issue: Belarusian mobilisation
  outcomes: {H2: [0, 6], H1: [6, 10]}
  samples: 40
questions:
  - id: q1
    text: A general mobilisation by the end of 2022?
    deadline: 2022-12-31
    given: {H1: 0.9, H2: 0.1}
    outcome: false
evidence:
  - id: M1
    text: An analyst note <em>by hand</em> | with a pipe
    date: 2022-10-15
    source: Anna Writer
    ratings: {anna: {H1: I, H2: C}, ben: {H1: N, H2: CC}}
""".replace("TITLE", TITLE.replace('"', '\\"'))


@pytest.fixture(scope="session")
def assessment(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    root = tmp_path_factory.mktemp("report")
    articles = root / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    case = parse_case(CASE)
    with Store.open(root / "t.db") as store:
        ingest([articles], store=store, config=Config.load(workers=1))
        report = extract(store, workers=1)
        assert report.processed == len(ARTICLES)
        return assess(store, case, link=True)  # patterns only: fast and deterministic


@pytest.fixture(scope="session")
def html(assessment: Assessment) -> str:
    from tocsin.report.html import render_html

    return render_html(assessment)


@pytest.fixture(scope="session")
def markup_sentence() -> str:
    return MARKUP_SENTENCE
