"""Claims with their epistemic status and source chain, and sentence-level events."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.extract.run import analyse_text
from tocsin.models.evidence import Claim


def _claim(text: str, contains: str) -> Claim:
    found = [c for c in analyse_text(text).claims if contains in c.text]
    assert found, analyse_text(text).claims
    return found[0]


@pytest.mark.parametrize(
    ("text", "contains", "status"),
    [
        ("“We will not send troops,” Oleksiy Danilov said.", "We will not send", "asserted"),
        (
            "According to the Belarusian Hajun Project, a column of armoured vehicles "
            "arrived near the border on Wednesday.",
            "a column of armoured vehicles",
            "reported",
        ),
        (
            "Pavel Latushka claimed that Lukashenka had agreed to receive 120,000 troops.",
            "Lukashenka had agreed",
            "alleged",
        ),
        (
            "The minister said the Kremlin was allegedly planning a strike from the north.",
            "the Kremlin was allegedly planning",
            "alleged",
        ),
        ("Kyiv denied these accusations on Sunday.", "Kyiv denied", "denied"),
        (
            "It is unclear whether the Belarusian army could fight in Ukraine at all.",
            "It is unclear",
            "speculative",
        ),
        (
            "Anna Kovalenko said the army may not be ready for an offensive this year.",
            "the army may not be ready",
            "speculative",
        ),
    ],
)
def test_claim_status(text: str, contains: str, status: str) -> None:
    assert _claim(text, contains).status == status


def test_a_claim_passed_on_carries_its_source_chain_outermost_first() -> None:
    claim = _claim(
        "According to Franak Viačorka, Makei allegedly hinted that the West should turn "
        "a page on its relations with Belarus.",
        "turn",
    )
    assert claim.status == "alleged"
    assert claim.source_chain == ("Franak Viačorka", "Vladimir Makei")


def test_plain_statements_of_fact_are_no_claims() -> None:
    assert analyse_text("The bridge links Crimea to Russia. It opened in 2018.").claims == []


def test_events_have_actor_action_target_category_and_date() -> None:
    text = (
        "On 10 October, Russia deployed thousands of troops to Belarus. "
        "Lukashenko met Putin in Sochi on 26 September. "
        "“We will attack nobody,” he said."
    )
    events = analyse_text(text, anchor=date(2022, 10, 12)).events
    by_action = {e.action: e for e in events}
    deploy = by_action["deploy"]
    assert deploy.category == "MOBILIZE"
    assert deploy.actor == "Russia"
    assert deploy.target is not None
    assert "troops" in deploy.target
    assert (deploy.date_start, deploy.date_end) == (date(2022, 10, 10), date(2022, 10, 10))
    meet = by_action["meet"]
    assert meet.category == "CONSULT"
    assert meet.actor == "Alexander Lukashenko"
    assert meet.target == "Vladimir Putin"
    assert meet.date_start == date(2022, 9, 26)
    assert "attack" not in by_action  # verbs inside quotes are what was said, not events
    for e in events:
        assert text[e.start : e.end] == e.text
