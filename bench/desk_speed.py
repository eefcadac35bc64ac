"""Desk speed: page times of the real ``tocsin serve`` over a large synthetic store.

Builds (or finds in bench/.cache/) the store of bench/synthetic_store.py: N synthetic
articles (default 100,000) and 10 cases of a few hundred links each. Copies it, starts
``tocsin serve`` on it in a subprocess on a free 127.0.0.1 port, and with one httpx client:

- the first (cold) load of each timed case's desk: the desk reads what the assessment
  needs from the store and scores it;
- warms every page once, then times ``--requests`` requests of each: the cases page, the
  case desk (cycling through the timed cases), summary.json, the review queue, search (ten
  queries, with and without words and filters) and the reader (six articles), each when
  its route exists (a 404 is noted, not timed);
- decisions: each a POST of a reject (POST /cases/{id}/links/{link}/decision) on a pending
  link, then GETs of summary.json until it counts one item of evidence fewer: the time
  from the POST until the summary reflects it. Where the route does not exist yet the
  decision is written through ``tocsin.store.assessment.decide`` instead (noted), and the
  time is the desk's: until summary.json reflects it.

Also, in this process and before the server starts: ``assessment.load`` and ``score`` for
one case, with the memory the loaded data takes.

Prints a table; writes bench/results/desk_speed.json and the "Desk speed" section of
docs/benchmarks.md (other sections are kept). Reproduce from the repository root:

    .venv/bin/python bench/desk_speed.py [--articles N] [--requests K]

It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest_speed
import synthetic_store
from eval_extraction import replace_section
from tocsin.assess.assessment import load
from tocsin.assess.case import Case
from tocsin.assess.score import (
    ActorResult,
    CaseData,
    actor_model,
    clear_kept,
    disagreements,
    score,
    timeline,
)
from tocsin.serve.state import Desk
from tocsin.store import assessment as stored
from tocsin.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "desk_speed.json"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/desk_speed.py"
PAGE_GOAL_MS = 200.0  # p95 of the desk, the queue and search (issue #12)
DECISION_GOAL_MS = 300.0  # from a decision until the assessment reflects it
TIMED_CASES = ("case-01", "case-02", "case-03")
DECISIONS = 10
SEARCHES = (
    "q=troops",
    "q=Lukashenko",
    "q=%22joint+regional+grouping%22",
    "q=mobilisation+reservists",
    "q=troops&outlet=Reuters",
    "q=sanctions&from=2022-06-01&to=2022-12-31",
    "q=border&entity=Alexander+Lukashenko",
    "speaker=Vladimir+Putin",
    "outlet=Meduza",
    "q=exercises&lang=en",
)
STARTUP_SECONDS = 120.0


def machine() -> dict[str, Any]:
    """What the figures were measured on: ingest_speed's description, with SQLite's version."""
    described = ingest_speed.machine()
    return {**described, "cores": described["nproc"], "sqlite": sqlite3.sqlite_version}


@dataclass
class Timing:
    """The times of one page, in milliseconds."""

    name: str
    times: list[float] = field(default_factory=list)
    note: str = ""

    def summary(self) -> dict[str, Any]:
        if not self.times:
            return {"page": self.name, "requests": 0, "note": self.note}
        ordered = sorted(self.times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return {
            "page": self.name,
            "requests": len(ordered),
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(p95, 1),
            "max_ms": round(ordered[-1], 1),
            "note": self.note,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(db: Path) -> Iterator[tuple[str, psutil.Process]]:
    """``tocsin serve`` over ``db`` in a subprocess; its base URL and process."""
    port = free_port()
    command = [sys.executable, "-c", "from tocsin.cli import main; main()", "serve",
               "--db", str(db), "--port", str(port), "--analyst", "bench"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(base + "/static/desk.css", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("tocsin serve did not start") from None
                time.sleep(0.2)
        yield base, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def timed(fn: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    reply = fn()
    return reply, 1000 * (time.perf_counter() - started)


def csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    if not found:
        raise RuntimeError("the cases page carries no CSRF token")
    return found.group(1)


def _loaded(desk: Desk, case: Case, texts: Literal["all", "linked"]) -> tuple[Any, float, int]:
    """``load`` of ``case`` with ``texts``: the data, its seconds and the memory it holds."""
    gc.collect()
    before = psutil.Process().memory_info().rss
    with desk.store() as store:
        started = time.perf_counter()
        data = load(store, case, texts=texts)
        seconds = time.perf_counter() - started
    return data, seconds, psutil.Process().memory_info().rss - before


def in_process(db: Path, case_id: str, before: bool) -> dict[str, Any]:
    """In this process: ``load`` of one case as the desk did before (every text, when
    ``before``) and does now (the linked articles' texts), then what the desk computes
    from it: the background no link moves (conflicting figures, timeline) and ``score``."""
    desk = Desk(db)
    case = desk.case(case_id)
    out: dict[str, Any] = {}
    if before:
        data, seconds, held = _loaded(desk, case, "all")
        out.update(load_all_s=round(seconds, 2), load_all_mb=round(held / 1e6))
        del data
    data, seconds, held = _loaded(desk, case, "linked")
    out.update(load_s=round(seconds, 2), load_mb=round(held / 1e6))
    actors = actor_model(case)
    bare = replace(data, figures=[], events=[])
    score(case, bare, None, actors)  # imports scikit-learn
    clear_kept()  # as a server just started
    started = time.perf_counter()
    result = score(case, bare, None, actors)
    out["score_cold_s"] = round(time.perf_counter() - started, 2)
    out.update(after_decision(case, bare, actors))
    started = time.perf_counter()
    articles = {a.id: a for a in data.articles}
    conflicts, events = (
        disagreements(data.figures, articles, None),
        timeline(data.events, articles, None),
    )
    out["background_s"] = round(time.perf_counter() - started, 2)
    desk.close()
    return out | {
        "articles": len(data.articles),
        "texts": sum(1 for a in data.articles if a.text),
        "links": len(data.links),
        "figures": len(data.figures),
        "conflicting_figures": sum(len(d.figures) for d in conflicts),
        "events": len(events),
        "facts": len(data.facts),
        "trajectory_days": len(result.trajectory),
    }


def after_decision(case: Case, data: CaseData, actors: ActorResult) -> dict[str, Any]:
    """``score`` after a reject of each of ``DECISIONS`` links spread over the case's dates,
    one after another: whole (the days from the link's date on are scored again, the days
    before looked up) and its last day alone (``days="last"``, the decision's reply)."""
    whole, last = [], []
    links = list(data.links)
    when = {a.id: str(a.published or "") for a in data.articles}
    dated = sorted(range(len(links)), key=lambda n: (when.get(links[n].key.article_id, ""), n))
    step = max(1, len(dated) // DECISIONS)
    for n in dated[step // 2 :: step][:DECISIONS]:
        links[n] = replace(links[n], decision="reject")
        changed = replace(data, links=list(links))
        started = time.perf_counter()
        score(case, changed, None, actors, days="last")
        last.append(time.perf_counter() - started)
        started = time.perf_counter()
        score(case, changed, None, actors)
        whole.append(time.perf_counter() - started)
    return {
        "score_last_day_ms": round(1000 * statistics.median(last)),
        "score_after_decision_ms": round(1000 * statistics.median(whole)),
        "score_after_decision_max_ms": round(1000 * max(whole)),
    }


def reader_articles(db: Path, count: int) -> list[int]:
    """Articles to read: three that case-01 links to, the first, the middle and the last."""
    with Store.open(db) as store:
        linked = sorted({r.key.article_id for r in stored.link_rows(store, TIMED_CASES[0])})
    return [*linked[:3], 1, count // 2, count]


def time_pages(client: httpx.Client, requests: int, articles: list[int]) -> list[Timing]:
    """Warm each page once, then ``requests`` requests each; missing routes are noted."""
    pages: list[tuple[str, list[str]]] = [
        ("cases page /", ["/"]),
        ("case desk", [f"/cases/{c}" for c in TIMED_CASES]),
        ("summary.json", [f"/cases/{TIMED_CASES[0]}/summary.json"]),
        ("review queue", [f"/cases/{c}/queue" for c in TIMED_CASES]),
        ("search", [f"/search?{q}" for q in SEARCHES]),
        ("reader", [f"/articles/{n}" for n in articles]),
    ]
    out = []
    for name, urls in pages:
        timing = Timing(name)
        out.append(timing)
        statuses = {url: client.get(url).status_code for url in urls}  # warm
        missing = [u for u, s in statuses.items() if s == 404]
        if missing:
            timing.note = "no such route yet (404): " + ", ".join(missing)
            urls = [u for u in urls if u not in missing]
        failed = {u: s for u, s in statuses.items() if s not in (200, 404)}
        if failed:
            timing.note += f" failures: {failed}"
            urls = [u for u in urls if u not in failed]
        for n in range(requests if urls else 0):
            url = urls[n % len(urls)]
            reply, ms = timed(lambda: client.get(url))  # noqa: B023 (called at once)
            if reply.status_code == 200:
                timing.times.append(ms)
    return out


def time_decisions(client: httpx.Client, db: Path, token: str) -> list[Timing]:
    """Decisions on pending links of one case, each a reject: from its POST until the reply
    (which carries the new bottom line, checked to count one item of evidence fewer);
    until summary.json counts it; and then the case desk, whose trajectory the decision
    moved from its link's date on."""
    case_id = TIMED_CASES[0]
    summary = f"/cases/{case_id}/summary.json"
    replied = Timing("decision → reply")
    reflected = Timing("decision → summary.json")
    whole = Timing("case desk after a decision")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    for link in spread_links(db, case_id, DECISIONS):
        before = client.get(summary).json()["evidence"]
        started = time.perf_counter()
        reply = client.post(f"/cases/{case_id}/links/{link}/decision",
                            json={"decision": "reject"}, headers=headers)  # fmt: skip
        answered = time.perf_counter()
        if reply.status_code >= 400:
            replied.note = f"decision failed: {reply.status_code} {reply.text[:200]}"
            break
        if reply.json()["summary"]["evidence"] == before - 1:
            replied.times.append(1000 * (answered - started))
        else:
            replied.note = "a reply did not count the decision"
        while client.get(summary).json()["evidence"] != before - 1:
            if time.perf_counter() - started > 120:
                reflected.note += " (not reflected after 120 s)"
                return [replied, reflected, whole]
        reflected.times.append(1000 * (time.perf_counter() - started))
        page, ms = timed(lambda: client.get(f"/cases/{case_id}"))
        if page.status_code == 200:
            whole.times.append(ms)
    return [replied, reflected, whole]


def spread_links(db: Path, case_id: str, count: int) -> list[int]:
    """``count`` pending links of the case, their dates spread from its first to its last
    (a decision re-scores the trajectory from its link's date on)."""
    with Store.open(db) as store:
        rows = [r for r in stored.link_rows(store, case_id) if r.decision is None]
        when = {a.id: str(a.published or "") for a in stored.article_heads(store)}
    rows.sort(key=lambda r: (when.get(r.key.article_id, ""), r.id))
    step = max(1, len(rows) // count)
    return [r.id for r in rows[step // 2 :: step][:count]]


def run(articles: int, requests: int, before: bool = True) -> dict[str, Any]:
    source = synthetic_store.cached(articles)
    counts = synthetic_store.counts(source)
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="desk-speed-") as work:
        db = Path(work) / "desk.db"
        shutil.copy(source, db)
        print(f"store: {articles:,} articles, {source.stat().st_size / 1e6:,.0f} MB")
        loading = in_process(db, TIMED_CASES[0], before)
        print(f"in process: {loading}")
        with served(db) as (base, server), httpx.Client(base_url=base, timeout=600) as client:
            token = csrf(client)
            cold = []
            for case_id in TIMED_CASES:
                reply, ms = timed(lambda c=case_id: client.get(f"/cases/{c}"))
                cold.append({"case": case_id, "status": reply.status_code, "ms": round(ms)})
                print(f"cold desk {case_id}: {ms / 1000:.1f} s ({reply.status_code})")
            rss_cold = server.memory_info().rss
            pages = time_pages(client, requests, reader_articles(db, articles))
            decisions = time_decisions(client, db, token)
            rss = server.memory_info().rss
    return {
        "command": COMMAND,
        "machine": machine(),
        "articles": articles,
        "database_mb": round(source.stat().st_size / 1e6),
        "counts": counts,
        "requests": requests,
        "in_process": loading,
        "cold": cold,
        "pages": [t.summary() for t in [*pages, *decisions]],
        "server_rss_mb": {"after_cold_loads": round(rss_cold / 1e6), "end": round(rss / 1e6)},
        "loadavg": [round(load_start, 1), round(os.getloadavg()[0], 1)],
    }


def table(results: dict[str, Any]) -> str:
    lines = ["| page | requests | median | p95 | max | note |", "|---|---:|---:|---:|---:|---|"]
    for p in results["pages"]:
        if not p["requests"]:
            lines.append(f"| {p['page']} | 0 | – | – | – | {p['note']} |")
            continue
        lines.append(
            f"| {p['page']} | {p['requests']} | {p['median_ms']:,.0f} ms | {p['p95_ms']:,.0f} ms"
            f" | {p['max_ms']:,.0f} ms | {p['note']} |"
        )
    return "\n".join(lines)


def section(runs: list[dict[str, Any]]) -> str:
    m = runs[0]["machine"]
    out = [
        "## Desk speed",
        "",
        f"`bench/desk_speed.py`, {m['date']}, {m['cpu']} ({m['cores']} cores), Python"
        f" {m['python']}, SQLite {m['sqlite']}. `tocsin serve` in a subprocess over a copy of"
        " the synthetic store of `bench/synthetic_store.py` (10 cases, copies of belarus-2022"
        " with 300 links each; see its docstring for what the articles hold); one client,"
        " requests one after another. Goals (issue #12): p95 ≤ 200 ms for the desk, the"
        " queue and search; a decision reflected in the assessment within 300 ms.",
    ]
    for r in runs:
        inner = r["in_process"]
        cold = ", ".join(f"{c['case']} {c['ms'] / 1000:.1f} s" for c in r["cold"])
        before = (
            f" Every article's text, as the desk read before (`load(texts='all')`):"
            f" {inner['load_all_s']} s holding {inner['load_all_mb']:,} MB per case."
            if "load_all_s" in inner
            else ""
        )
        out += [
            "",
            f"### {r['articles']:,} articles ({r['database_mb']:,} MB)",
            "",
            f"Load average (1 min) {r['loadavg'][0]} at the start, {r['loadavg'][1]} at the end.",
            f"First (cold) desk load per case: {cold}. In one process, for case-01:"
            f" `load(texts='linked')` {inner['load_s']} s holding {inner['load_mb']:,} MB"
            f" ({inner['articles']:,} articles, {inner['texts']:,} with their text,"
            f" {inner['figures']:,} grouped figures, {inner['events']:,} dated events,"
            f" {inner['facts']:,} span facts).{before} The parts no link moves (conflicting"
            f" figures: {inner['conflicting_figures']:,}; timeline) {inner['background_s']} s,"
            f" once per store state. `score` of the {inner['links']} links"
            f" ({inner['trajectory_days']} days of trajectory): {inner['score_cold_s']} s the"
            f" first time; after a reject (of {DECISIONS} links spread over the case's dates,"
            f" one after another) {inner['score_after_decision_ms']:,} ms in the median"
            f" (at most {inner['score_after_decision_max_ms']:,} ms), the days before the"
            f" link's date looked up; the last day alone (the bottom line a decision's reply"
            f" gives) {inner['score_last_day_ms']:,} ms."
            f" Server RSS {r['server_rss_mb']['after_cold_loads']:,} MB after"
            f" the cold loads, {r['server_rss_mb']['end']:,} MB at the end.",
            "",
            table(r),
            "",
            goals(r),
        ]
    return "\n".join([*out, "", LIMITS]) + "\n"


def goals(results: dict[str, Any]) -> str:
    """The issue's goals against the figures: met, missed or not measured."""
    by_page = {p["page"]: p for p in results["pages"]}
    said = []
    for page, goal, key in (
        ("case desk", PAGE_GOAL_MS, "p95_ms"),
        ("review queue", PAGE_GOAL_MS, "p95_ms"),
        ("search", PAGE_GOAL_MS, "p95_ms"),
        ("reader", PAGE_GOAL_MS, "p95_ms"),
        ("decision → reply", DECISION_GOAL_MS, "p95_ms"),
        ("decision → summary.json", DECISION_GOAL_MS, "p95_ms"),
    ):
        found = by_page.get(page, {})
        if not found.get("requests"):
            said.append(f"{page}: not measured (no route)")
            continue
        verdict = "met" if found[key] <= goal else "missed"
        what = "p95" if key == "p95_ms" else "median"
        said.append(f"{page} {what} {found[key]:,.0f} ms, goal {goal:.0f} ms: {verdict}")
    return "Goals: " + "; ".join(said) + "."


LIMITS = """A decision's reply and summary.json carry the bottom line scored with the \
trajectory's last day only; the whole assessment, with every day of the trajectory, is \
scored when the desk's page is next asked for ("case desk after a decision"). It re-scores \
the days from the decided link's date on (one update per day, with that day's developments \
and uncorroborated claims; the later days hold more evidence and cost more) and looks up the \
days before. A case's first load on a large store is mostly reading what every article \
contributes (its title, date and outlet; the grouped figures and dated events, read once \
for all cases) and the conflicting figures and timeline computed from them; articles that \
arrive later are read in the background while the desk serves what it holds."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100_000])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument(
        "--no-before", action="store_true", help="skip loading every text (as the desk did)"
    )
    parser.add_argument(
        "--from-json", action="store_true", help="write the docs section from the last results"
    )
    args = parser.parse_args(argv)
    if args.from_json:
        runs = json.loads(RESULTS.read_text(encoding="utf-8"))
        DOC.write_text(replace_section(DOC.read_text(encoding="utf-8"), section(runs)), "utf-8")
        return
    runs = []
    for n in args.articles:
        result = run(n, args.requests, before=not args.no_before)
        print(table(result))
        runs.append(result)
    if args.no_doc:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    DOC.write_text(replace_section(DOC.read_text(encoding="utf-8"), section(runs)), "utf-8")
    print(f"wrote {RESULTS} and the 'Desk speed' section of {DOC}")


if __name__ == "__main__":
    main()
