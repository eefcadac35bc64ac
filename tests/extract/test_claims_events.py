"""Claims with their epistemic status and source chain, and sentence-level events."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.extract.run import analyse_text
from tocsin.models.evidence import Claim, Event


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
    # a verb inside a quote is the speaker's word, read with its negation: never an assault
    attack = by_action["attack"]
    assert (attack.category, attack.action_category, attack.mode) == (
        "REJECT",
        "ASSAULT",
        "refused",
    )
    for e in events:
        assert text[e.start : e.end] == e.text


# -- relayed announcements ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "contains", "relayer"),
    [
        (
            "Interfax reported that the defence ministry announced a snap inspection of the "
            "army's readiness in the western region.",
            "a snap inspection",
            "Interfax",
        ),
        (
            "According to Interfax, the defence ministry said that two battalions had "
            "returned to their bases near Pskov.",
            "two battalions had returned",
            "Interfax",
        ),
        (
            "Interfax reported, citing the defence ministry, that the joint drills would "
            "end on Sunday.",
            "the joint drills would end",
            "Interfax",
        ),
        (
            "The defence ministry said that the joint drills would end on Sunday, Interfax "
            "reported.",
            "the joint drills would end",
            "Interfax",
        ),
    ],
)
def test_a_relayed_announcement_is_reported_with_its_chain(
    text: str, contains: str, relayer: str
) -> None:
    """The relay first, then the ministry whose words it passes on."""
    claim = _claim(text, contains)
    assert claim.status == "reported"
    assert len(claim.source_chain) == 2
    assert claim.source_chain[0] == relayer
    assert "efence" in claim.source_chain[1]


def test_two_speakers_side_by_side_do_not_relay_each_other() -> None:
    claim = _claim(
        "Putin said the talks had gone well, and Lukashenko said the two armies had finished "
        "their joint drills.",
        "the two armies had finished",
    )
    assert claim.status == "asserted"


# -- events: category and mode ------------------------------------------------------------


def _events(text: str) -> list[Event]:
    return analyse_text(text, anchor=date(2022, 10, 12)).events


def _event(text: str, action: str) -> Event:
    found = [e for e in _events(text) if e.action == action]
    assert len(found) == 1, _events(text)
    return found[0]


@pytest.mark.parametrize(
    ("text", "action", "category", "action_category", "mode"),
    [
        # refusals: never the action itself
        ("Minsk won't allow Moscow to join the talks.", "allow", "REJECT", "COOPERATE", "refused"),
        (
            "Lukashenko said Belarus would not send its troops to Ukraine.",
            "send", "REJECT", "MOBILIZE", "refused",
        ),
        (
            "The Belarusian army has no intention of taking part in the war.",
            "take", "REJECT", "ASSAULT", "refused",
        ),
        (
            "Minsk refused to deploy its troops along the Ukrainian border.",
            "deploy", "REJECT", "MOBILIZE", "refused",
        ),
        # denials
        (
            "The Belarusian defence ministry denied sending troops to Ukraine.",
            "send", "REJECT", "MOBILIZE", "denied",
        ),
        ("Russia did not deploy any troops to Belarus in January.", "deploy", "REJECT",
         "MOBILIZE", "denied"),
        # threats
        (
            "Lukashenko threatened to deploy nuclear weapons along the western border.",
            "deploy", "THREATEN", "MOBILIZE", "threatened",
        ),
        ("Russia threatened Lithuania over the transit ban.", "threaten", "THREATEN",
         "THREATEN", "threatened"),
        # plans, conditions, relays
        ("Russia will deploy more troops to Belarus next month.", "deploy", "MOBILIZE",
         "MOBILIZE", "planned"),
        ("Belarus is preparing to join the invasion of Ukraine.", "join", "ASSAULT", "ASSAULT",
         "planned"),
        ("Russia may deploy more troops to Belarus in the spring.", "deploy", "MOBILIZE",
         "MOBILIZE", "hypothetical"),
        (
            "It is not clear whether Russia will launch a new offensive from the north.",
            "launch", "ASSAULT", "ASSAULT", "hypothetical",
        ),
        (
            "If Poland moves its brigades east, Belarus will deploy its army along the border.",
            "deploy", "MOBILIZE", "MOBILIZE", "hypothetical",
        ),
        (
            "The ministry said Russia had deployed two battalions to Belarus.",
            "deploy", "MOBILIZE", "MOBILIZE", "reported",
        ),
        ("Russia deployed two battalions to Belarus on Monday.", "deploy", "MOBILIZE",
         "MOBILIZE", "asserted"),
        ("Belarusian troops took part in the joint exercises.", "take", "MOBILIZE", "MOBILIZE",
         "asserted"),
        # troops leaving; a denial of a clause that names the war
        ("Nearly all Russian troops have left the country.", "leave", "RETREAT", "RETREAT",
         "asserted"),
        (
            "Minsk denied reports that its army would be dragged into the war.",
            "deny", "REJECT", "ASSAULT", "denied",
        ),
    ],
)  # fmt: skip
def test_event_category_and_mode(
    text: str, action: str, category: str, action_category: str, mode: str
) -> None:
    event = _event(text, action)
    assert (event.category, event.action_category, event.mode) == (
        category,
        action_category,
        mode,
    )


def test_a_refusal_to_allow_is_no_cooperation() -> None:
    events = _events("Belarus won't allow Russia to join the talks with Kyiv.")
    assert events
    assert all(e.category != "COOPERATE" for e in events)


def test_a_denied_deployment_is_one_event_and_not_a_mobilisation() -> None:
    events = _events("The Belarusian defence ministry denied sending troops to Ukraine.")
    assert len(events) == 1  # the denial and the action it denies are one event
    assert events[0].actor is not None
    assert "ministry" in events[0].actor.lower()
    assert not any(e.category == "MOBILIZE" for e in events)


def test_a_threat_to_deploy_keeps_the_threatening_actor() -> None:
    event = _event("Lukashenko threatened to deploy nuclear weapons in Belarus.", "deploy")
    assert event.actor == "Alexander Lukashenko"
    assert not any(
        e.action == "threaten"
        for e in _events("Lukashenko threatened to deploy nuclear weapons in Belarus.")
    )


def test_an_action_asked_for_is_a_request_not_an_event() -> None:
    events = _events("NATO urged Belarus to withdraw its troops from the border.")
    assert [e.category for e in events] == ["DEMAND"]


def test_negation_is_read_from_the_verbs_own_clause() -> None:
    # 'not' in a relative clause does not deny the deployment
    event = _event("Russia deployed troops that were not ready for combat.", "deploy")
    assert event.mode == "asserted"
    # 'never' is a negation of the verb, though no word list names it
    assert _event("Russia never deployed troops to Belarus.", "deploy").mode == "denied"


def test_a_stated_absence_of_an_event_is_refused() -> None:
    (event,) = _events("There will be no mobilisation in Belarus this autumn, the minister said.")
    assert (event.category, event.action_category, event.mode) == ("REJECT", "MOBILIZE", "refused")
    assert event.actor == "Belarus"


def test_an_action_in_a_quote_is_the_speakers_word() -> None:
    event = _event("“Our battalions have moved to the western border,” the general said.", "move")
    assert (event.category, event.mode) == ("MOBILIZE", "reported")


def test_the_agent_of_a_passive_is_the_actor() -> None:
    event = _event("The claim was denied by the Belarusian defence ministry.", "deny")
    assert event.actor is not None
    assert "ministry" in event.actor.lower()
    assert event.mode == "denied"


def test_a_price_that_declined_refused_nothing() -> None:
    assert _events("The index of Belarusian bonds declined 0.3% on Monday.") == []
    event = _event("The Belarusian ministry declined to comment on the drills.", "decline")
    assert (event.category, event.mode) == ("REJECT", "refused")


def test_it_stands_for_the_body_that_says_it_acted() -> None:
    event = _event(
        "Russia said on Friday it sent paratroopers to Belarus for joint drills.", "send"
    )
    assert (event.actor, event.category, event.mode) == ("Russia", "MOBILIZE", "reported")


def test_an_action_inside_an_if_clause_is_hypothetical_however_deep() -> None:
    event = _event(
        "There would be time to react if Belarus began to mobilise its reserves.", "mobilise"
    )
    assert event.mode == "hypothetical"


def test_what_a_source_does_not_see_is_no_event() -> None:
    text = "We do not see that the enemy could invade the country from the north."
    assert not [e for e in _events(text) if e.action_category == "ASSAULT"]
    assert _event("We see that the enemy could invade the country from the north.", "invade")


def test_leaving_is_a_retreat_only_for_troops() -> None:
    assert not _events("The minister left the summit early on Friday.")
