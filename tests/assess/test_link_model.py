"""The link model (#11): features of every (sentence, indicator) pair, the probability a link
is right, what the analyst's decisions and the case's counter-examples teach the linker, and
the shipped models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from tocsin.assess.case import parse_case
from tocsin.assess.link import Unit, link_units
from tocsin.assess.link_model import (
    FEATURES,
    NO_LESSONS,
    WITHOUT_PATTERN,
    Lessons,
    LinkModel,
    LinkModels,
    PairScores,
    linking_note,
    pair_features,
    shipped,
)
from tocsin.assess.sources import ArticleFacts
from tocsin.errors import InvalidInput

CASE = parse_case(
    """\
id: t
question: q
resolution: {criteria: c, deadline: 2023-01-01}
hypotheses: [{id: H1, title: war}, {id: H2, title: peace}]
linker: model
indicators:
  - id: troops
    description: Troops gather at the border
    examples: [Soldiers gather near the border.]
    likelihoods: {H1: 0.9, H2: 0.2}
  - id: talks
    description: Talks between the two governments resume
    examples: [The governments resume talks.]
    likelihoods: {H1: 0.3, H2: 0.8}
"""
)
FACTS = ArticleFacts(1, "A title", None, "Daily Planet", 1)
WORDS = ("troops", "soldiers", "border", "talks", "governments", "gather", "drill")


class WordEmbedder:
    """Bag-of-words vectors over a few words: cosine is shared vocabulary."""

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        rows = []
        for text in texts:
            lower = text.lower()
            v = np.array([1.0 if w in lower else 0.0 for w in WORDS] + [0.2])
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32)


def unit(text: str, start: int = 0, article: int = 1) -> Unit:
    facts = replace(FACTS, article_id=article)
    return Unit(facts, start, start + len(text), text, "sentence", None, None)


def scores(sims: list[list[float]], **others: list[list[float]]) -> PairScores:
    shape = np.array(sims, dtype=np.float32)
    zero = np.zeros_like(shape)
    return PairScores(
        sims=shape,
        tfidf=np.array(others.get("tfidf", zero), dtype=np.float32),
        context=np.array(others.get("context", zero), dtype=np.float32),
        description=np.array(others.get("description", zero), dtype=np.float32),
        patterns=np.array(others.get("patterns", zero), dtype=bool),
    )


def test_every_pair_gets_its_features() -> None:
    x = pair_features(
        scores(
            [[0.8, 0.4, 0.3], [0.2, 0.5, 0.5]],
            tfidf=[[0.6, 0.0, 0.3], [0.0, 0.0, 0.0]],
            patterns=[[0, 1, 0], [0, 0, 0]],
            context=[[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]],
        )
    )
    assert x.shape == (2, 3, len(FEATURES))
    column = {name: k for k, name in enumerate(FEATURES)}
    assert x[0, 0, column["similarity"]] == pytest.approx(0.8)
    assert x[0, 0, column["margin"]] == pytest.approx(0.8 - 0.5)  # over the sentence's mean
    assert list(x[0, :, column["nearest"]]) == [1.0, 0.0, 0.0]
    assert list(x[1, :, column["nearest"]]) == [0.0, 1.0, 1.0]  # ties are both nearest
    # The nearest leads the best other by 0.4; the others trail the nearest.
    assert list(x[0, :, column["second margin"]]) == pytest.approx([0.4, -0.4, -0.5])
    assert x[1, 1, column["second margin"]] == pytest.approx(0.0)  # a tie leads by nothing
    assert list(x[0, :, column["pattern"]]) == [0.0, 1.0, 0.0]
    assert x[0, 0, column["tfidf margin"]] == pytest.approx(0.3)  # 0.6 over the mean 0.3
    assert x[0, 2, column["context"]] == pytest.approx(0.3)


def test_the_probability_rises_with_the_evidence_and_round_trips() -> None:
    model = LinkModel(WITHOUT_PATTERN, (2.0, 5.0, 1.0, 3.0, 2.0, 2.0, 1.0, 1.0), -4.0, 0.5)
    low = model.probability(np.zeros(len(FEATURES), dtype=np.float32))
    high = model.probability(np.array([0.8, 0.3, 1, 0.3, 0.5, 0.3, 0.5, 0.6, 1], np.float32))
    assert 0.0 < float(low) < 0.1 < 0.9 < float(high) < 1.0
    assert LinkModel.from_dict(model.as_dict()) == model
    with pytest.raises(ValueError, match="features"):
        LinkModel.from_dict({**model.as_dict(), "features": ["similarity"]})
    with pytest.raises(ValueError, match="weights"):
        LinkModel.from_dict({**model.as_dict(), "weights": [1.0]})


def test_each_indicator_is_scored_by_the_model_its_patterns_call_for() -> None:
    with_patterns = LinkModel(FEATURES, (0.0,) * 8 + (10.0,), -5.0, 0.5)
    plain = LinkModel(WITHOUT_PATTERN, (10.0,) + (0.0,) * 7, -5.0, 0.5)
    models = LinkModels(with_patterns, plain, 0.25, "test")
    x = pair_features(scores([[0.9, 0.9]], patterns=[[0, 0]]))
    p = models.probabilities(x, np.array([True, False]))
    assert p[0, 0] < 0.5 < p[0, 1]  # no pattern matched; the plain model reads similarity
    assert LinkModels.from_dict(models.as_dict()) == models


def simple_models(counter_factor: float = 0.0) -> LinkModels:
    """P(right) from similarity alone: 0.5 at a cosine of 0.6."""
    weights = (20.0,) + (0.0,) * (len(WITHOUT_PATTERN) - 1)
    plain = LinkModel(WITHOUT_PATTERN, weights, -12.0, 0.5)
    return LinkModels(LinkModel(FEATURES, (*weights, 0.0), -12.0, 0.5), plain, counter_factor, "t")


def test_a_sentence_links_to_every_indicator_it_reports() -> None:
    both = unit("Troops gather at the border as the governments resume talks.")
    links = link_units(CASE, [both], WordEmbedder(), models=simple_models())  # type: ignore[arg-type]
    assert sorted(link.indicator_id for link in links) == ["talks", "troops"]
    for link in links:
        assert link.method == "model"
        assert 0.5 <= link.score <= 1.0  # the link weighs its probability of being right
        assert link.reason.startswith(f"P(right) {link.score:.2f}")


def test_a_case_links_by_rules_unless_it_asks_for_the_model() -> None:
    rules = CASE.model_copy(update={"linker": "rules"})
    text = unit("Troops gather at the border as the governments resume talks.")
    by_rules = link_units(rules, [text], WordEmbedder())  # type: ignore[arg-type]
    assert all(link.method != "model" for link in by_rules)
    assert shipped() is not None
    by_model = link_units(CASE, [text], WordEmbedder())  # type: ignore[arg-type]
    assert by_model
    assert all(link.method == "model" for link in by_model)


def test_decisions_teach_examples_and_counter_examples() -> None:
    data = CASE.model_dump(mode="json")
    data["evidence"] = [
        {"id": "E1", "text": "Columns of troops drill by the border.", "indicator": "troops",
         "likelihoods": {"H1": 0.8, "H2": 0.3}}
    ]  # fmt: skip
    case = parse_case(json.dumps(data))
    taught = Lessons.of(
        case,
        [
            ("accept", "troops", None, "Soldiers drill at the border."),
            ("reject", "talks", None, "The governments drill soldiers."),
            ("relink", "troops", "talks", "Talks on troops resume."),
        ],
    )
    assert taught.decisions == 4  # three decisions and one sentence entered by hand
    assert taught.examples["troops"] == (
        "Columns of troops drill by the border.",
        "Soldiers drill at the border.",
    )
    assert taught.examples["talks"] == ("Talks on troops resume.",)
    assert taught.counter == {
        "talks": ("The governments drill soldiers.",),
        "troops": ("Talks on troops resume.",),
    }
    assert Lessons.of(CASE) == Lessons(decisions=0)


def test_an_accepted_sentence_makes_its_like_link_and_a_rejected_one_weighs_down() -> None:
    drill = unit("Soldiers drill.")
    models = simple_models(counter_factor=0.0)
    before = link_units(CASE, [drill], WordEmbedder(), models=models)  # type: ignore[arg-type]
    assert before == []
    taught = Lessons.of(CASE, [("accept", "troops", None, "Soldiers drill here.")])
    after = link_units(CASE, [drill], WordEmbedder(), lessons=taught, models=models)  # type: ignore[arg-type]
    assert [link.indicator_id for link in after] == ["troops"]
    assert "Soldiers drill here." in after[0].reason
    near = unit("Soldiers gather at the border for a drill.")
    linked = link_units(CASE, [near], WordEmbedder(), models=models)  # type: ignore[arg-type]
    assert [link.indicator_id for link in linked] == ["troops"]
    rejected = Lessons.of(CASE, [("reject", "troops", None, near.text)])
    weighed = link_units(CASE, [near], WordEmbedder(), lessons=rejected, models=models)  # type: ignore[arg-type]
    assert weighed == []  # nearer the rejected sentence than any example: factor 0


def test_counter_examples_in_the_case_file_weigh_down_like_rejections() -> None:
    data = CASE.model_dump()
    data["indicators"][0]["counter_examples"] = ["A drill: soldiers gather at the border."]
    case = parse_case(json.dumps(data, default=str))
    near = unit("Soldiers gather at the border for a drill.")
    full = link_units(CASE, [near], WordEmbedder(), models=simple_models(0.5))  # type: ignore[arg-type]
    assert [link.indicator_id for link in full] == ["troops"]
    assert 0.5 < full[0].score < 1.0 < 2 * full[0].score
    kept = link_units(case, [near], WordEmbedder(), models=simple_models(1.0))  # type: ignore[arg-type]
    assert kept[0].score == full[0].score
    assert "nearer a counter-example than any example" in kept[0].reason
    halved = link_units(case, [near], WordEmbedder(), models=simple_models(0.5))  # type: ignore[arg-type]
    assert halved == []  # half of its probability is under the threshold


def test_evidence_entered_by_hand_must_name_a_known_indicator() -> None:
    data = CASE.model_dump(mode="json")
    data["evidence"] = [
        {"id": "E1", "text": "x", "indicator": "nothing", "likelihoods": {"H1": 0.5, "H2": 0.5}}
    ]
    with pytest.raises(InvalidInput, match=r"nothing.* is not an indicator"):
        parse_case(json.dumps(data))


def test_the_reports_say_how_the_linker_learned() -> None:
    assert "learned from 0 analyst decisions" in linking_note(CASE, NO_LESSONS)
    taught = Lessons.of(CASE, [("reject", "talks", None, "x")])
    note = linking_note(CASE, taught)
    assert "link model" in note
    assert "learned from 1 analyst decision and sentences entered by hand" in note
    # Without embeddings the model cannot run: the rules linked, and the note says so.
    assert "patterns" in linking_note(CASE, taught, embedded=False)
    rules = CASE.model_copy(update={"linker": "rules"})
    assert "patterns" in linking_note(rules, taught)


def test_the_shipped_models_say_how_they_were_fitted() -> None:
    models = shipped()
    assert models is not None
    assert models.patterns.features == FEATURES
    assert models.plain.features == WITHOUT_PATTERN
    assert 0.0 < models.plain.threshold < 1.0
    assert 0.0 <= models.counter_factor <= 1.0
    assert "backtest questions" in models.fitted
    # Fitted on the tuned questions only, never on a held-out one.
    for held_out in ("ro-bg-schengen-2022", "israel-hamas-truce-2023"):
        assert held_out not in models.fitted
    # More similarity, more probability.
    low = pair_features(scores([[0.2, 0.1]]))
    high = pair_features(scores([[0.8, 0.1]]))
    flags = np.array([False, False])
    assert models.probabilities(high, flags)[0, 0] > models.probabilities(low, flags)[0, 0]
