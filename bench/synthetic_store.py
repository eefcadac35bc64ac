"""A large synthetic store for the desk's benchmarks, built by direct SQL in minutes.

``build(path, articles=N)`` writes N seeded synthetic articles (3-6 KB of news-like text
each, a title, one of 50 outlets, a date in 2022-2023, mostly English) into a store made by
``Store.open``, with what ingest and extraction would have stored beside them:

- the full-text rows (``articles_fts``, filled by migration 0001's triggers on insert);
- every sentence (migration 0004), cut where the generator put them;
- a lighter evidence layer than extraction leaves on the bundled articles: per article
  some 34 entity mentions (of 400 entities, with their spellings), 3 figures (4 in 5 in one
  of 600 measure groups), 3 date mentions, 3 quotes, 2 claims and 3 events (one dated);
  per KB of text that is some 60% of the bundled articles' mentions and figures, a third
  of their events and a sixth of their quotes and claims; an ``extractions`` row for each
  (6% of the articles are in languages without a pipeline: sentences only);
- 10 cases, ``case-01`` to ``case-10``: the bundled belarus-2022 case file with other
  priors, each saved with ``save_case_file`` and with about 300 stored links
  (``store.assessment.save_links``) on real sentences written from its indicators'
  examples into 150 of the articles, a ``link_runs`` row that makes them current, and a
  recorded forecast.

Linking 100,000 articles for real would take hours; ingesting them, too. The links are
what the rules linker stores (method 'pattern'), with the case's source grades.

``cached(N)`` builds once per N and ``VERSION`` under bench/.cache/ (gitignored) and
returns the path; ``python bench/synthetic_store.py --articles N`` builds (or finds) one
and prints its build time and size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tocsin.assess.case import Case, bundled_case_path, parse_case
from tocsin.assess.record import record
from tocsin.assess.relink import case_hash, lessons, linker_version
from tocsin.assess.score import CaseData, actor_model, score
from tocsin.extract.report import EXTRACTOR_VERSION
from tocsin.extract.resolve import spelling
from tocsin.models.assessment import LinkFields, LinkKey, LinkState
from tocsin.store import assessment as stored
from tocsin.store.db import Store
from tocsin.store.desk import save_case_file

VERSION = 1  # bump when what is built changes: cached stores of another version are rebuilt
CACHE = Path(__file__).resolve().parent / ".cache"
CASES = 10
LINKS_PER_CASE = 300  # over 150 articles
COMMIT_EVERY = 2000  # articles per transaction while building
FIRST_DAY = date(2022, 1, 1)
DAYS = 730

OUTLETS = (
    "openDemocracy", "The Guardian", "Carnegie Endowment for International Peace",
    "Worldcrunch", "The Conversation", "Reuters", "Associated Press", "BBC News",
    "Deutsche Welle", "Radio Free Europe", "Meduza", "Novaya Gazeta Europe", "Kyiv Independent",
    "Ukrainska Pravda", "Belsat", "Nasha Niva", "Zerkalo", "Euronews", "Politico Europe",
    "Financial Times", "The Economist", "Le Monde", "Der Spiegel", "Frankfurter Allgemeine",
    "El País", "Corriere della Sera", "Gazeta Wyborcza", "Delfi", "LRT", "ERR News",
    "Yle", "Al Jazeera", "CNN", "The New York Times", "The Washington Post",
    "Wall Street Journal", "Bloomberg", "Foreign Policy", "War on the Rocks",
    "Institute for the Study of War", "Chatham House", "RUSI", "ECFR", "Notes from Poland",
    "Balkan Insight", "Eurasianet", "The Moscow Times", "TASS", "BelTA", "Interfax",
)  # fmt: skip
LANGUAGES = (("en", 0.94), ("ru", 0.03), ("de", 0.02), ("fr", 0.01))

_PERSONS = """Alexander Lukashenko|Vladimir Putin|Viktor Khrenin|Vladimir Makei|Sviatlana
Tsikhanouskaya|Pavel Latushka|Franak Viačorka|Volodymyr Zelensky|Oleksiy Danilov|Hanna Malyar|
Artyom Shraibman|Konrad Muzyka|Sergei Shoigu|Dmitry Peskov|Maria Zakharova|Jens Stoltenberg|
Josep Borrell|Antony Blinken|Olaf Scholz|Emmanuel Macron""".replace("\n", " ").split("|")
_FIRST = """Anna Ben Ivan Olga Pavel Marta Tomas Irina Jan Elena Mikhail Sofia Andrei Katarzyna
Oleg Natalia Piotr Yulia Dmitri Agnieszka Viktor Lena Sergei Ewa Roman""".split()
_LAST = """Kowalski Ivanova Novak Petrov Shevchenko Bondar Kovalenko Lisowski Melnyk Tkachenko
Horvath Sokolova Marchenko Zielinski Kuznetsov Popescu Baranov Wojcik Savchenko Orlova
Kravchenko Nowicki Fedorov Hrytsenko Moroz""".split()
_PLACES = """Belarus|Ukraine|Russia|Poland|Lithuania|Latvia|Minsk|Kyiv|Moscow|Warsaw|Vilnius|
Brest|Gomel|Grodno|Mozyr|Mazyr|Pinsk|Vitebsk|Mogilev|Chernihiv|Zhytomyr|Volyn|Rivne|Kharkiv|
Kherson|Donbas|Crimea|Kaliningrad|Smolensk|Bryansk|Europe|the Baltic states|Germany|
France|China|the United States|Georgia|Moldova|Kazakhstan|Armenia""".replace("\n", "").split("|")
_ORGS = """NATO|the European Union|the Kremlin|the Pentagon|the Ministry of Defence|the General
Staff|the Hajun Project|the United Nations|the OSCE|Wagner|the CSTO|the IMF|the World Bank|
Gazprom|Belaruskali|the State Border Committee|the KGB|the Security Council|Chatham House|
Amnesty International""".replace("\n", " ").split("|")

_COMMON = """the of and to in a that on for is was said with by as at from has have had it
its be were are an will would not after but this which their they also more than who been
troops border military forces army minister officials government president country war
attack exercise exercises units brigade battalion convoy equipment tanks artillery missile
missiles drones aircraft airfield airspace base bases railway trains trucks columns soldiers
reservists mobilisation training ground grounds staging sanctions talks dialogue statement
spokesman ministry defence security regime opposition protest prisoners political release
week month year days hours morning evening night region district city village forest road
bridge river crossing checkpoint corridor refugees humanitarian aid support pressure threat
threats warned warning reported according sources satellite images analysts observers
intelligence assessment plans plan planned preparing prepared deploy deployed deployment
arrive arrived arrival withdraw withdrawn withdrawal joint regional grouping command front
offensive defensive positions line lines fighting combat strikes rocket shelling fire
casualties killed wounded civilians children families houses homes power energy grid gas oil
prices economy trade exports imports potash fertiliser banks currency budget loans debt
deal agreement treaty summit meeting visit delegation ambassador embassy diplomatic note
accused denied claimed confirmed announced ordered called demanded refused rejected agreed
signed vowed promised insisted stressed suggested noted added told interview television
channel telegram video footage photos published posted shared new old large small major
minor senior junior former current local national international western eastern southern
northern central heavy light rapid slow sudden long short high low first second third last
next several many few some most all any every other another such same different possible
likely unlikely clear unclear important key main only still already again yet now then
there here when where while because although however despite since during before until
within without against between among across along around near over under into onto out""".split()


def _vocabulary(seed: int) -> tuple[list[str], list[float]]:
    """The common words, then 4,000 made-up rarer ones, with Zipf-like cumulative weights."""
    rng = random.Random(seed)
    syllables = "ka lo mi ne ru sa te vo zi bra cho dre fla gri kla ple stro tvi vel dor".split()
    rare = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(4500)}
    words = list(dict.fromkeys(_COMMON + sorted(rare)))[:4300]
    total, weights = 0.0, []
    for rank in range(len(words)):
        # The made-up tail is some 7% of the words, as names and rare words are in news.
        total += (1.0 if rank < len(_COMMON) else 0.15) / (rank + 8)
        weights.append(total)
    return words, weights


@dataclass(frozen=True)
class _Entity:
    id: int
    name: str
    label: str


def _entities(rng: random.Random) -> list[_Entity]:
    names = [(n.strip(), "PERSON") for n in _PERSONS]
    names += [(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", "PERSON") for _ in range(240)]
    names += [(n.strip(), "GPE") for n in _PLACES] + [(n.strip(), "ORG") for n in _ORGS]
    unique = list(dict.fromkeys(names))
    return [_Entity(n + 1, name, label) for n, (name, label) in enumerate(unique)]


_MEASURES = (
    ("count:troop", None), ("count:soldier", None), ("count:tank", None),
    ("count:people", None), ("count:refugee", None), ("count:prisoner", None),
    ("count:aircraft", None), ("count:missile", None), ("count:vehicle", None),
    ("count:train", None), ("money:sanction", "USD"), ("money:loan", "USD"),
    ("money:trade", "EUR"), ("length:border", "km"), ("length:column", "km"),
    ("count:drone", None), ("count:civilian", None), ("count:reservist", None),
    ("count:exercise", None), ("count:brigade", None),
)  # fmt: skip
_SCOPES = ("Russia", "Belarus", "Ukraine", "Poland", "Lithuania")
_SCOPE_PLACES = ("", "in Belarus", "in Ukraine", "near the border", "in Gomel", "in Brest")
_QUALIFIERS = (None, None, None, "about", "at least", "more than", "up to", "nearly")
_CATEGORIES = (
    "AID", "ANNOUNCE", "ASSAULT", "COERCE", "CONSULT", "COOPERATE", "DEMAND", "MOBILIZE",
    "REJECT", "RETREAT", "THREATEN",
)  # fmt: skip
_VERBS = ("deployed", "announced", "moved", "sent", "held", "ordered", "rejected", "signed")
_STATUSES = (("asserted", 0.5), ("reported", 0.15), ("speculative", 0.25), ("alleged", 0.08))
_QUOTE_KINDS = (("indirect", 0.65), ("direct", 0.15), ("partial", 0.2))
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


_INSERTS = {
    "sources": "INSERT INTO sources (id, locator, kind, url, status, article_id)"
    " VALUES (?, ?, 'url', ?, 'ok', ?)",
    "articles": "INSERT INTO articles (id, source_id, url, title, authors, published,"
    " published_precision, outlet, language, text, text_sha256, words, cleaner_version)"
    " VALUES (?, ?, ?, ?, ?, ?, 'day', ?, ?, ?, ?, ?, 'synthetic')",
    "sentences": 'INSERT INTO sentences (article_id, start, "end", paragraph) VALUES (?, ?, ?, ?)',
    "mentions": 'INSERT INTO mentions (article_id, start, "end", text, label, entity_id)'
    " VALUES (?, ?, ?, ?, ?, ?)",
    "quotes": 'INSERT INTO quotes (article_id, start, "end", text, kind, cue, speaker_text,'
    " speaker_start, speaker_end, speaker_entity_id) VALUES (?, ?, ?, ?, ?, 'said', ?, ?, ?, ?)",
    "claims": 'INSERT INTO claims (article_id, start, "end", text, status, source_entity_id,'
    " source_text, source_chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "quantities": 'INSERT INTO quantities (article_id, start, "end", text, value, unit,'
    " qualifier, measure, group_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "dates": 'INSERT INTO date_mentions (article_id, start, "end", text, date_start, date_end)'
    " VALUES (?, ?, ?, ?, ?, ?)",
    "events": 'INSERT INTO events (article_id, start, "end", text, actor, actor_entity_id,'
    " action, category, date_start, date_end, mode, action_category)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'asserted', ?)",
    "extractions": "INSERT INTO extractions (article_id, extractor_version, model, skipped)"
    " VALUES (?, ?, ?, ?)",
}
_Rows = dict[str, list[tuple[object, ...]]]  # one transaction's rows, by _INSERTS' key


@dataclass(frozen=True)
class _Planted:
    """A sentence written into an article for a case's link."""

    case_id: str
    indicator: str
    text: str


@dataclass(frozen=True)
class PlantedSpan:
    case_id: str
    indicator: str
    article_id: int
    start: int
    end: int
    text: str
    published: str
    outlet: str


class _Generator:
    """Seeded articles and their evidence rows; every offset points at what it names."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words, self.weights = _vocabulary(seed)
        self.entities = _entities(self.rng)
        self.persons = [e for e in self.entities if e.label == "PERSON"]
        self.groups = [
            (f"{measure} [{scope}{', ' + place if place else ''}]", measure, unit)
            for measure, unit in _MEASURES
            for scope in _SCOPES
            for place in _SCOPE_PLACES
        ]  # 600 measure groups
        self.planted: list[PlantedSpan] = []

    # -- text ---------------------------------------------------------------------------

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.weights, k=k)

    def _sentence(self, text: _Text, article: int, day: date) -> None:
        """One sentence of filler with entities, maybe a figure or a date, into ``text``."""
        rng = self.rng
        first = rng.random() < 0.6
        if first:
            self._mention(text, article, rng.choice(self.entities))
            text.add(" ")
        words = self._words(rng.randint(10, 20))
        if not first:
            words[0] = words[0].capitalize()
        text.add(" ".join(words[: len(words) // 2]) + " ")
        if rng.random() < 0.45:
            self._mention(text, article, rng.choice(self.entities))
            text.add(" ")
        if rng.random() < 0.09:
            self._figure(text, article)
            text.add(" ")
        if rng.random() < 0.08:
            self._date(text, article, day)
            text.add(" ")
        text.add(" ".join(words[len(words) // 2 :]))

    def _mention(self, text: _Text, article: int, entity: _Entity) -> int:
        start = text.add(entity.name)
        text.rows["mentions"].append(
            (article, start, start + len(entity.name), entity.name, entity.label, entity.id)
        )
        return start

    def _figure(self, text: _Text, article: int) -> None:
        rng = self.rng
        group = rng.randrange(len(self.groups))
        _, measure, unit = self.groups[group]
        value = float(rng.choice((1, 2, 3, 5, 8, 12, 15, 20, 30, 45, 60)))
        value *= rng.choice((1, 10, 100, 1000)) * (1_000_000 if unit in ("USD", "EUR") else 1)
        qualifier = rng.choice(_QUALIFIERS)
        noun = measure.partition(":")[2] + "s"
        shown = f"{int(value):,}" + (f" {unit}" if unit else "")
        phrase = f"{qualifier + ' ' if qualifier else ''}{shown}"
        start = text.add(phrase)
        text.add(f" {noun}")
        grouped = group + 1 if rng.random() < 0.8 else None
        text.rows["quantities"].append(
            (article, start, start + len(phrase), phrase, value, unit, qualifier,
             measure.partition(":")[2], grouped)
        )  # fmt: skip

    def _date(self, text: _Text, article: int, day: date) -> None:
        when = day - timedelta(days=self.rng.randint(0, 20))
        phrase = f"on {when.day} {_MONTHS[when.month - 1]} {when.year}"
        start = text.add(phrase) + 3
        iso = when.isoformat()
        text.rows["dates"].append((article, start, start + len(phrase) - 3, phrase[3:], iso, iso))

    def article(self, article: int, rows: _Rows, planted: list[_Planted]) -> None:
        """Article ``article``: its row, source, sentences and evidence, into ``rows``."""
        rng = self.rng
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        outlet = rng.choice(OUTLETS)
        language = rng.choices([lang for lang, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
        text = _Text(rows)
        count = rng.randint(24, 46)
        slots = {rng.randrange(count): p for p in planted}
        paragraph, left = 0, rng.randint(2, 5)
        cut: list[tuple[int, int]] = []
        for n in range(count):
            if n:
                if left == 0:
                    text.add("\n\n")
                    paragraph, left = paragraph + 1, rng.randint(2, 5)
                else:
                    text.add(" ")
            start = text.pos
            plant = slots.get(n)
            if plant is not None:
                text.add(plant.text)
            else:
                self._sentence(text, article, day)
                text.add(".")
            rows["sentences"].append((article, start, text.pos, paragraph))
            cut.append((start, text.pos))
            if plant is not None:
                self.planted.append(
                    PlantedSpan(plant.case_id, plant.indicator, article, start, text.pos,
                                plant.text, day.isoformat(), outlet)
                )  # fmt: skip
            left -= 1
        body = text.value()
        title = " ".join(self._words(rng.randint(6, 11))).capitalize()
        if rng.random() < 0.5:
            title = f"{rng.choice(self.entities).name}: {title}"
        slug = re.sub(r"\W+", "-", title.lower())[:60].strip("-")
        url = (
            f"https://news.example/{outlet.lower().replace(' ', '-')}/{day:%Y/%m}/{slug}-{article}"
        )
        author = json.dumps([f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"], ensure_ascii=False)
        sha = hashlib.sha256(body.encode("utf-8")).hexdigest()
        rows["sources"].append((article, url, url, article))
        rows["articles"].append(
            (article, article, url, title, author, day.isoformat(), outlet, language, body, sha,
             len(body.split()))
        )  # fmt: skip
        if language != "en":
            # Articles in languages without a pipeline keep their sentences only.
            text.drop_evidence(article)
            rows["extractions"].append((article, EXTRACTOR_VERSION, "none", f"language {language}"))
            return
        self._spans(body, article, day, cut, rows)
        rows["extractions"].append((article, EXTRACTOR_VERSION, "sm", None))

    def _spans(
        self, body: str, article: int, day: date, cut: list[tuple[int, int]], rows: _Rows
    ) -> None:
        """Quotes, claims and events over whole sentences of the article."""
        rng = self.rng
        picks = rng.sample(cut, min(len(cut), 8))
        for start, end in picks[:3]:
            speaker = rng.choice(self.persons)
            kind = rng.choices([k for k, _ in _QUOTE_KINDS], [w for _, w in _QUOTE_KINDS])[0]
            rows["quotes"].append(
                (article, start, end, body[start:end], kind, speaker.name, None, None,
                 speaker.id)
            )  # fmt: skip
        for start, end in picks[3:5]:
            status = rng.choices([s for s, _ in _STATUSES], [w for _, w in _STATUSES])[0]
            source = rng.choice(self.entities) if rng.random() < 0.6 else None
            chain = json.dumps([source.name] if source else [], ensure_ascii=False)
            rows["claims"].append(
                (article, start, end, body[start:end], status, source.id if source else None,
                 source.name if source else None, chain)
            )  # fmt: skip
        for n, (start, end) in enumerate(picks[5:8]):
            actor = rng.choice(self.entities)
            category = rng.choice(_CATEGORIES)
            when = (day - timedelta(days=rng.randint(0, 10))).isoformat() if n == 0 else None
            rows["events"].append(
                (article, start, end, body[start:end], actor.name, actor.id,
                 rng.choice(_VERBS), category, when, when, category)
            )  # fmt: skip


class _Text:
    """An article's text as it is written, with the offset of each piece."""

    def __init__(self, rows: _Rows) -> None:
        self.rows = rows
        self.parts: list[str] = []
        self.pos = 0
        self.marks = (len(rows["mentions"]), len(rows["quantities"]), len(rows["dates"]))

    def add(self, piece: str) -> int:
        start = self.pos
        self.parts.append(piece)
        self.pos += len(piece)
        return start

    def value(self) -> str:
        return "".join(self.parts)

    def drop_evidence(self, article: int) -> None:
        """Forget the mentions, figures and dates this article's text added."""
        mentions, quantities, dates = self.marks
        del self.rows["mentions"][mentions:], self.rows["quantities"][quantities:]
        del self.rows["dates"][dates:]


# -- cases ------------------------------------------------------------------------------

_PRIORS = (
    (0.25, 0.60, 0.15), (0.20, 0.60, 0.20), (0.30, 0.55, 0.15), (0.15, 0.65, 0.20),
    (0.34, 0.33, 0.33), (0.40, 0.45, 0.15), (0.10, 0.70, 0.20), (0.25, 0.50, 0.25),
    (0.20, 0.70, 0.10), (0.30, 0.40, 0.30),
)  # fmt: skip


def case_texts(count: int = CASES) -> list[str]:
    """The bundled case file as ``case-01`` .. ``case-NN``, with other priors."""
    base = bundled_case_path().read_text(encoding="utf-8")
    out = []
    for n in range(count):
        text = re.sub(r"^id: .*$", f"id: case-{n + 1:02d}", base, count=1, flags=re.M)
        priors = iter(_PRIORS[n % len(_PRIORS)])  # the hypotheses' priors, in file order

        def prior(_match: re.Match[str], given: Iterator[float] = priors) -> str:
            return f"    prior: {next(given):.2f}"

        text = re.sub(r"^    prior: [0-9.]+$", prior, text, flags=re.M)
        out.append(text)
    return out


def _plan(
    cases: list[Case], articles: int, links: int, rng: random.Random
) -> dict[int, list[_Planted]]:
    """Which articles get which cases' linked sentences (the indicators' examples): each
    case's ``links`` over half as many articles."""
    plan: dict[int, list[_Planted]] = {}
    for case in cases:
        chosen = rng.sample(range(1, articles + 1), min(articles, max(1, links // 2)))
        for n in range(links):
            indicator = rng.choice(case.indicators)
            example = rng.choice(indicator.examples or [indicator.description + "."])
            plan.setdefault(chosen[n % len(chosen)], []).append(
                _Planted(case.id, indicator.id, example)
            )
    return plan


def _links(case: Case, spans: list[PlantedSpan], rng: random.Random) -> dict[LinkKey, LinkFields]:
    """The links the rules linker would store for the planted sentences of ``case``."""
    graded = {s.name: s for s in case.sources}
    people = [s for s in case.sources if s.kind == "person"]
    negatable = {i.id for i in case.indicators if i.negatable}
    version = linker_version(case)
    out = {}
    for span in spans:
        if rng.random() < 0.4 and people:
            who = rng.choice(people)
            source, key, kind = who.name, who.name.lower(), "quote"
            grade = (who.reliability, who.credibility)
        else:
            outlet = graded.get(span.outlet)
            source, key = span.outlet, f"outlet:{span.outlet.lower()}"
            kind = rng.choice(("sentence", "event", "claim"))
            grade = (outlet.reliability, outlet.credibility) if outlet else ("F", 6)
        negated = span.indicator in negatable and rng.random() < 0.1
        word = span.text.split()[min(3, len(span.text.split()) - 1)]
        out[LinkKey(span.article_id, span.start, span.end, span.indicator)] = LinkFields(
            text=span.text,
            polarity="negated" if negated else "seen",
            score=round(rng.uniform(0.55, 1.0), 2),
            method="pattern",
            reason=f"pattern /\\b{re.escape(word.lower())}\\b/ matched “{word}”",
            kind=kind,
            status=rng.choice(("asserted", "reported", None)) if kind != "sentence" else None,
            source=source,
            source_key=f"{span.indicator}|{key}",
            reliability=grade[0],
            credibility=grade[1],
            published=span.published,
            linker_version=version,
        )
    return out


# -- building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    path: Path
    articles: int
    cases: int
    links: int
    seconds: float
    bytes: int


def build(
    path: Path,
    articles: int = 100_000,
    seed: int = 42,
    say: Callable[[str], None] = print,
    *,
    cases: int = CASES,
    links: int = LINKS_PER_CASE,
) -> Built:
    """Write the synthetic store at ``path`` (which must not exist): ``articles`` articles,
    ``cases`` cases of ``links`` links each."""
    if path.exists():
        raise FileExistsError(path)
    started = time.perf_counter()
    rng = random.Random(seed)
    found = [parse_case(text, f"synthetic {n + 1}") for n, text in enumerate(case_texts(cases))]
    plan = _plan(found, articles, links, rng)
    gen = _Generator(seed)
    with Store.open(path) as store:
        db = store.conn
        db.execute("PRAGMA synchronous=OFF")  # a benchmark's store: rebuilt if a crash hurts it
        db.execute("PRAGMA cache_size=-1000000")  # 1 GB: the indexes' pages stay in memory
        with store.transaction():
            _entity_rows(store, gen)
        for first in range(1, articles + 1, COMMIT_EVERY):
            rows: _Rows = {table: [] for table in _INSERTS}
            for article in range(first, min(articles, first + COMMIT_EVERY - 1) + 1):
                gen.article(article, rows, plan.get(article, []))
            with store.transaction():
                db.execute("PRAGMA defer_foreign_keys=ON")  # sources and articles name each other
                for table, sql in _INSERTS.items():
                    db.executemany(sql, rows[table])
            if (first - 1) % (COMMIT_EVERY * 5) == 0:
                say(f"  {first - 1 + len(rows['articles']):,} articles, "
                    f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        saved = _save_cases(store, found, gen.planted, rng, say)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - started
    return Built(path, articles, len(found), saved, seconds, path.stat().st_size)


def _entity_rows(store: Store, gen: _Generator) -> None:
    db = store.conn
    db.executemany(
        "INSERT INTO entities (id, canonical, label) VALUES (?, ?, ?)",
        [(e.id, e.name, e.label) for e in gen.entities],
    )
    found = [(e.id, spelling(e.name)) for e in gen.entities]
    db.executemany(
        "INSERT OR IGNORE INTO entity_spellings (entity_id, spelling, normal, surname_key)"
        " VALUES (?, ?, ?, ?)",
        [(n, s.text, s.normal, s.surname_key) for n, s in found],
    )
    db.executemany(
        "INSERT INTO measure_groups (id, key) VALUES (?, ?)",
        [(n + 1, key) for n, (key, _, _) in enumerate(gen.groups)],
    )


def _save_cases(
    store: Store,
    cases: list[Case],
    planted: list[PlantedSpan],
    rng: random.Random,
    say: Callable[[str], None],
) -> int:
    """Each case's file, links, link run and recorded forecast; the links' count."""
    last = stored.last_article(store)
    total = 0
    for case in cases:
        save_case_file(store, case.id, case.text, origin="bench/synthetic_store.py")
        wanted = _links(case, [s for s in planted if s.case_id == case.id], rng)
        state = LinkState(case_hash(case, lessons(store, case)), linker_version(case), "none", last)
        stored.save_links(store, case.id, wanted, state)
        total += len(wanted)
    for case in cases:  # after all links: each case's track record reads the others'
        data = CaseData(links=stored.link_rows(store, case.id), articles=[])
        record(store, score(case, data, None, actor_model(case)))
    say(f"  {len(cases)} cases, {total:,} links")
    return total


def cached(articles: int, say: Callable[[str], None] = print) -> Path:
    """The synthetic store of ``articles`` articles, built once under bench/.cache/."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"desk-{articles}-v{VERSION}.db"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    say(f"building a synthetic store of {articles:,} articles at {path}")
    built = build(partial, articles, say=say)
    partial.rename(path)
    say(f"built in {built.seconds:.0f} s: {built.bytes / 1e6:,.0f} MB, {built.links:,} links")
    return path


def counts(path: Path) -> dict[str, int]:
    """Rows per table of a built store."""
    tables = ("articles", "sentences", "mentions", "quotes", "claims", "quantities",
              "date_mentions", "events", "evidence_links", "case_files", "forecasts")  # fmt: skip
    with Store.open(path, read_only=True) as store:
        return {
            t: int(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    args = parser.parse_args(argv)
    path = CACHE / f"desk-{args.articles}-v{VERSION}.db"
    if args.rebuild:
        for old in CACHE.glob(path.name + "*"):
            old.unlink()
    started = time.perf_counter()
    found = cached(args.articles)
    print(f"{found}: {found.stat().st_size / 1e6:,.0f} MB ({time.perf_counter() - started:.1f} s)")
    for table, n in counts(found).items():
        print(f"  {table:15} {n:>12,}")


if __name__ == "__main__":
    main()
