"""Feed-to-alert latency of ``tocsin watch``: from the moment an item appears in a feed to
the moment its alert is written (issue #13: at most 60 s with a 30 s poll and 1,000 new
items a cycle).

A local HTTP server (a thread on a free 127.0.0.1 port) serves an RSS feed and the article
pages it links. The feed gains ``--items`` new items every ``--interval`` seconds for
``--cycles`` rounds and keeps the newest 2,000. Each page is synthetic news HTML (the
article text of bench/engine_speed.py in a news site's page) with its own numbered
sentence, dated today. One page of each round, the "marker", carries a plain news sentence
that the bundled case's indicator ``russian-troops-arrive`` matches, with a code naming the
round; the other pages are cleared of every sentence that indicator's patterns match.

The case is the bundled case plus the alert rule ``troops`` on that indicator; the sources
file has the feed (``every`` the interval; the server answers a conditional GET by ETag)
and a jsonl channel. A self-check first ingests, extracts and assesses the marker and 20
other pages in a one-off store: the marker links, no other page does, the rule fires.

``tocsin watch --json --no-embeddings --allow-address 127.0.0.1`` then runs as a
subprocess with ``TOCSIN_HOST_DELAY=0`` (every page is on one local host, so the polite
delay between requests to a host would only measure itself). The feed first holds ten
warm-up items; once the watcher has finished its first cycle the rounds begin. For each
round: when the server swapped in the new feed, and when the marker's alert line appeared
in alerts.jsonl (read every 0.2 s); latency = the second - the first. Also each cycle's
JSON line, the peak RSS of the watcher's process tree (psutil, every 0.5 s) and the load
average. The watcher is stopped by SIGTERM (killed if it has not stopped within a minute).

Prints a table and the verdict; writes bench/results/watch_latency.json (not with
``--no-doc``). A benchmark (it asserts nothing); from the repository root:

    .venv/bin/python bench/watch_latency.py [--items 1000] [--interval 30] [--cycles 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine_speed
import ingest_speed
from eval_extraction import replace_section
from tocsin.assess.case import bundled_case_path, parse_case

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "watch_latency.json"
COMMAND = ".venv/bin/python bench/watch_latency.py"
GOAL_S = 60.0  # from an item's appearance in a feed to its alert (issue #13)
INDICATOR = "russian-troops-arrive"
RULES = f"""
alerts:
  - id: troops
    kind: indicator
    indicator: {INDICATOR}
"""
FEED_KEEP = 2_000  # the feed lists the newest this many items
WARM_ITEMS = 10  # in the feed before the rounds: the watcher's first cycle reads them
SEED = 13
ALERT_POLL_S = 0.2
RSS_POLL_S = 0.5
STOP_DEADLINE_S = 60.0  # for the watcher to stop after SIGTERM before it is killed
MARKER = (
    "About {n} Russian troops arrived in Belarus overnight by rail, the defence ministry "
    "in Minsk said in bulletin {code}."
)


def troop_patterns() -> list[re.Pattern[str]]:
    """The bundled case's patterns of the indicator, to keep other pages clear of it."""
    case = parse_case(bundled_case_path().read_text(encoding="utf-8"))
    (indicator,) = (i for i in case.indicators if i.id == INDICATOR)
    return [re.compile(p, re.IGNORECASE) for p in indicator.patterns]


_SENTENCE_END = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")


def clear_of(text: str, patterns: Sequence[re.Pattern[str]]) -> str:
    """``text`` without the sentences any of ``patterns`` matches (paragraphs kept)."""
    kept = []
    for paragraph in text.split("\n\n"):
        sentences = [
            s for s in _SENTENCE_END.split(paragraph) if not any(p.search(s) for p in patterns)
        ]
        kept.append(" ".join(sentences) or "Officials declined to comment.")
    return "\n\n".join(kept)


def page_html(article: dict[str, str], day: date) -> bytes:
    """A news page around ``article``: head, navigation, the article, related links, footer."""
    stamp = f"{day.isoformat()}T06:00:00Z"
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article["text"].split("\n\n"))
    title = escape(article["title"])
    nav = " ".join(f'<a href="/section/{s}">{s.title()}</a>' for s in engine_speed._FILLER[:8])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Bench Wire</title>
<meta property="og:site_name" content="Bench Wire">
<meta property="article:published_time" content="{stamp}">
<meta name="author" content="Bench Wire staff"></head>
<body><header><div class="logo">Bench Wire</div><nav>{nav}</nav></header>
<main><article><h1>{title}</h1>
<p class="byline">By Bench Wire staff, <time datetime="{stamp}">{day:%d %B %Y}</time></p>
{paragraphs}
</article>
<aside><h2>Most read</h2><ul><li><a href="/most-read/1">Markets steady</a></li>
<li><a href="/most-read/2">Weather warning for the weekend</a></li></ul></aside></main>
<footer><p>Copyright Bench Wire. All rights reserved.</p>
<a href="/about">About us</a> <a href="/contact">Contact</a></footer></body></html>
""".encode()


@dataclass
class Item:
    """One feed item and its page."""

    number: int
    title: str
    html: bytes
    code: str = ""  # the marker's code, "" for the other pages


def make_items(count: int, first: int, marker: str, rng: random.Random, day: date) -> list[Item]:
    """``count`` items numbered from ``first``; with ``marker`` (a code), one of them, drawn
    at random, carries the marker sentence with that code."""
    patterns = troop_patterns()
    where = rng.randrange(count) if marker else -1
    items = []
    for n in range(first, first + count):
        article = engine_speed.article(n, rng)
        article["text"] = clear_of(article["text"], patterns)
        code = ""
        if n - first == where:
            code = marker
            head, _, rest = article["text"].partition("\n\n")
            sentence = MARKER.format(n=rng.randint(2, 9) * 1000, code=code)
            article["text"] = f"{head} {sentence}\n\n{rest}"
        items.append(Item(n, article["title"], page_html(article, day), code))
    return items


def rss(items: Sequence[Item], base: str, now: datetime) -> bytes:
    """An RSS 2.0 feed of ``items`` (newest first); each entry a title, link and one-line
    summary, so that ingest fetches the page it links to."""
    stamp = format_datetime(now)
    entries = "\n".join(
        f"<item><title>{escape(i.title)}</title><link>{base}/news/{i.number}</link>"
        f'<guid isPermaLink="true">{base}/news/{i.number}</guid><pubDate>{stamp}</pubDate>'
        f"<description>Dispatch {i.number}: read the full story.</description></item>"
        for i in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bench Wire</title><link>{base}/</link>
<description>Synthetic news for the watch latency bench</description>
<lastBuildDate>{stamp}</lastBuildDate>
{entries}
</channel></rss>
""".encode()


class Site:
    """What the server serves: the feed (swapped whole, under a lock) and the pages."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.lock = threading.Lock()
        self.listed: list[Item] = []  # newest first
        self.feed, self.etag = b"", '""'  # the feed and its ETag (for conditional GETs)
        self.pages: dict[int, bytes] = {}
        self.requests: Counter[str] = Counter()  # by path: how often each was fetched

    def publish(self, items: Sequence[Item]) -> float:
        """Add ``items`` to the feed (keeping the newest FEED_KEEP); the moment it changed."""
        listed = [*reversed(items), *self.listed][:FEED_KEEP]
        feed = rss(listed, self.base, datetime.now(UTC))
        with self.lock:
            self.pages.update((i.number, i.html) for i in items)
            self.listed, self.feed = listed, feed
            self.etag = f'"{hashlib.sha256(feed).hexdigest()[:16]}"'
            return time.time()

    def get(self, path: str, etag: str | None) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for ``path``; a 304 when the feed's ETag is ``etag``."""
        with self.lock:
            fresh = path == "/feed.xml" and etag == self.etag
            self.requests["304" if fresh else path] += 1
            if path == "/feed.xml":
                head = {"ETag": self.etag, "Content-Type": "application/rss+xml"}
                return (304, head, b"") if fresh else (200, head, self.feed)
            match = re.fullmatch(r"/news/(\d+)", path)
            page = self.pages.get(int(match.group(1))) if match else None
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if page is None:
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page


def serve(site: Site) -> ThreadingHTTPServer:
    """Start the server on a free port of 127.0.0.1 in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle's algorithm on, the second waits
        # for the client's delayed ACK (some 40 ms on Linux) on every kept-alive response,
        # which would time this server, not the watcher. Web servers set TCP_NODELAY too.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # the name http.server calls
            asked = self.headers.get("If-None-Match")  # the ETag the client has
            status, head, body = site.get(self.path.split("?")[0], asked)
            self.send_response(status)
            for name, value in {**head, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the bench prints its own figures

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def self_check(
    folder: Path, marker: Item, others: Sequence[Item], case_text: str
) -> dict[str, Any]:
    """Ingest, extract and assess ``marker`` and ``others`` in a one-off store: does the
    marker link to the indicator, does no other page, and does the rule fire on it?"""
    from tocsin.assess.alerts import evaluate
    from tocsin.assess.assessment import assess
    from tocsin.config import Config
    from tocsin.extract.run import extract
    from tocsin.ingest.pipeline import ingest
    from tocsin.store.db import Store

    pages = folder / "pages"
    pages.mkdir(parents=True)
    for item in (marker, *others):
        (pages / f"page{item.number}.html").write_bytes(item.html)
    case = parse_case(case_text)
    with Store.open(folder / "check.db") as store:
        ingest([pages], store=store, config=Config.load(workers=1))
        extract(store, workers=1)
        result = assess(store, case, link=True)
        alerts = evaluate(case, None, result, datetime.now(UTC))
    rows = [r for r in result.evidence if r.indicator == INDICATOR and r.polarity == "seen"]
    marked = [r for r in rows if marker.code in r.text]
    fired = [a for a in alerts if a.rule_id == "troops"]
    return {
        "articles": 1 + len(others),
        "marker_linked": bool(marked),
        "marker_sentence": marked[0].text if marked else None,
        "marker_dated": marked[0].when.isoformat() if marked and marked[0].when else None,
        "other_rows_of_indicator": len(rows) - len(marked),
        "rule_fired_on_marker": any(marker.code in e.text for a in fired for e in a.evidence),
    }


@dataclass
class Observed:
    """What the reader threads saw, each with the time.time() it was seen."""

    cycles: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    alerts: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    rss_peak: int = 0
    rss_samples: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def alert_time(self, code: str) -> float | None:
        """When the first alert whose evidence quotes ``code`` was seen."""
        with self.lock:
            for seen, alert in self.alerts:
                if any(code in str(e.get("text", "")) for e in alert.get("evidence", [])):
                    return seen
        return None


def sent_by_printed(seen: Observed, code: str) -> bool:
    """Whether the cycle that sent ``code``'s alert has printed its line."""
    alerted = seen.alert_time(code)
    with seen.lock:
        cycles = [cycle_row(line) for _, line in seen.cycles]
    return alerted is not None and sender(cycles, alerted) is not None


def read_cycles(stream: Any, seen: Observed) -> None:
    """Each JSON line of the watcher's stdout, with when it arrived (until EOF)."""
    for raw in stream:
        with contextlib.suppress(json.JSONDecodeError):
            line = json.loads(raw)
            with seen.lock:
                seen.cycles.append((time.time(), line))
            row = cycle_row(line)
            if row["stage"] == "urgent":
                print(f"  cycle {row['cycle']}, urgent articles first: {row['extracted']} "
                      f"extracted, {row['alerts_new']} new alerts", flush=True)  # fmt: skip
                continue
            print(f"  cycle {row['cycle']}: {row['seconds']} s, {row['new_articles']} new, "
                  f"{row['extracted']} extracted, {row['deferred']} left for the next, "
                  f"{row['alerts_new']} new alerts", flush=True)  # fmt: skip


def _done_cycles(seen: Observed) -> int:
    """How many cycles have ended (a cycle's urgent stage writes a line of its own first)."""
    with seen.lock:
        return sum(1 for _, line in seen.cycles if line.get("stage", "done") == "done")


def read_alerts(path: Path, seen: Observed) -> None:
    """Read the new lines of ``path`` every ALERT_POLL_S seconds until told to stop."""
    offset, partial = 0, b""
    while not seen.stop.wait(ALERT_POLL_S):
        if not path.exists():
            continue
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read()
        now = time.time()
        offset += len(data)
        *lines, partial = (partial + data).split(b"\n")
        with seen.lock:
            seen.alerts.extend((now, json.loads(x)) for x in lines if x.strip())


def sample_rss(pid: int, seen: Observed) -> None:
    """The peak RSS of the watcher's process tree, read every RSS_POLL_S seconds."""
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(pid)
        while not seen.stop.wait(RSS_POLL_S):
            total = 0
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker may end while read
                    total += proc.memory_info().rss
            seen.rss_peak = max(seen.rss_peak, total)
            seen.rss_samples += 1


def wait_until(when: float, condition: Any = None) -> bool:
    """Sleep in short steps until time.time() >= ``when`` or ``condition()`` holds."""
    while time.time() < when:
        if condition is not None and condition():
            return True
        time.sleep(min(0.2, max(0.0, when - time.time())))
    return condition is not None and bool(condition())


def stop_watcher(child: subprocess.Popen[str]) -> str:
    """SIGTERM, then kill if it has not stopped within STOP_DEADLINE_S; how it ended."""
    if child.poll() is not None:
        return f"had exited ({child.returncode})"
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=STOP_DEADLINE_S)
        return f"stopped by SIGTERM ({child.returncode})"
    except subprocess.TimeoutExpired:
        for proc in psutil.Process(child.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                proc.kill()
        child.kill()
        child.wait(timeout=STOP_DEADLINE_S)
        return f"killed after {STOP_DEADLINE_S:.0f} s"


def write_inputs(work: Path, url: str, interval: int, case_text: str) -> None:
    (work / "case.yaml").write_text(case_text, encoding="utf-8")
    source = f"{{name: feed, kind: feed, url: '{url}', every: {interval}s}}"
    channel = "{type: jsonl, path: alerts.jsonl}"
    (work / "sources.yaml").write_text(f"sources:\n  - {source}\nchannels:\n  - {channel}\n")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    rng, day = random.Random(SEED), date.today()
    nonce = f"{random.SystemRandom().randrange(16**6):06x}"
    codes = [f"W{nonce}R{r + 1}" for r in range(args.cycles)]
    site = Site("")
    server = serve(site)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        print(f"generating {WARM_ITEMS} + {args.items} x {args.cycles} pages ...", flush=True)
        warm = make_items(WARM_ITEMS, 0, "", rng, day)
        rounds = [make_items(args.items, WARM_ITEMS + r * args.items, code, rng, day)
                  for r, code in enumerate(codes)]  # fmt: skip
        case_text = bundled_case_path().read_text(encoding="utf-8") + RULES
        marker = next(i for i in rounds[0] if i.code)
        print("self-check: ingest, extract and assess the marker and 20 other pages ...")
        others = [i for i in rounds[0] if not i.code][:20]
        check = self_check(work / "check", marker, others, case_text)
        print("  " + json.dumps(check))
        write_inputs(work, f"{site.base}/feed.xml", args.interval, case_text)
        site.publish(warm)
        timing = watch(args, work, site, rounds, codes)
        pages = [n for path, n in site.requests.items() if path.startswith("/news/")]
        fetched = {"feed": site.requests["/feed.xml"], "feed_304": site.requests["304"],
                   "pages": sum(pages), "distinct_pages": len(pages)}  # fmt: skip
        return {"self_check": check, "requests": fetched, **timing}
    finally:
        server.shutdown()
        server.server_close()


def watch(
    args: argparse.Namespace, work: Path, site: Site, rounds: Sequence[Sequence[Item]],
    codes: Sequence[str],
) -> dict[str, Any]:  # fmt: skip
    """Run the watcher over the rounds; the times and figures it gave."""
    argv = [*ingest_speed.cli_command(), "watch", "--sources", "sources.yaml", "--db", "w.db",
            "--case", "case.yaml", "--allow-address", "127.0.0.1", "--no-embeddings", "--json",
            "--workers", str(args.workers)]  # fmt: skip
    env = {**os.environ, "TOCSIN_HOST_DELAY": "0"}
    seen = Observed()
    loads = [os.getloadavg()]
    with (work / "watch.err").open("w") as err:
        child = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=err,
                                 text=True)  # fmt: skip
        threads = [
            threading.Thread(target=read_cycles, args=(child.stdout, seen), daemon=True),
            threading.Thread(target=read_alerts, args=(work / "alerts.jsonl", seen), daemon=True),
            threading.Thread(target=sample_rss, args=(child.pid, seen), daemon=True),
        ]
        for t in threads:
            t.start()
        started, appeared = time.time(), []
        try:
            limit = started + max(600.0, 10.0 * args.interval)
            warmed = wait_until(limit, lambda: _done_cycles(seen) >= 1 or child.poll() is not None)
            first = time.time()
            print(f"warm-up cycle done in {first - started:.1f} s; rounds begin", flush=True)
            for r, items in enumerate(rounds):
                wait_until(first + r * args.interval)
                appeared.append(site.publish(items))
                loads.append(os.getloadavg())
                print(f"  round {r + 1}: {len(items)} items in the feed", flush=True)
            # cycles slower than the rounds pile the rounds up: wait in proportion to them
            patience = max(300.0, 10.0 * args.interval, 0.6 * args.items * len(rounds))
            print(f"waiting for the alerts (at most {patience:.0f} s)", flush=True)
            last_wait = time.time() + patience
            wait_until(last_wait, lambda: all(seen.alert_time(c) for c in codes))
            # the line of the cycle that sent the last alert comes when that cycle ends
            wait_until(time.time() + max(120.0, 4.0 * args.interval),
                       lambda: all(sent_by_printed(seen, c) for c in codes))  # fmt: skip
            # then the backlog: every article of the rounds extracted, linked and assessed
            total = WARM_ITEMS + sum(len(r) for r in rounds)
            print(f"waiting for all {total:,} articles to be extracted", flush=True)
            drained = wait_until(time.time() + max(900.0, 0.5 * total),
                                 lambda: _drained(seen, total))  # fmt: skip
            drained_at = time.time() if drained else None
            loads.append(os.getloadavg())
        finally:
            ended = stop_watcher(child)
            seen.stop.set()
            for t in threads:
                t.join(timeout=10)
    result = figures(seen, appeared, codes, rounds, loads, warmed, ended, work)
    result["drained_s"] = round(drained_at - appeared[-1], 1) if drained_at and appeared else None
    result["articles"] = total
    return result


def _drained(seen: Observed, total: int) -> bool:
    """Whether the watcher has extracted ``total`` articles and left nothing for later."""
    with seen.lock:
        done = [line for _, line in seen.cycles if line.get("stage", "done") == "done"]
    return sum(int(d.get("extracted") or 0) for d in done) >= total and not done[-1].get("deferred")


def _epoch(stamp: str | None) -> float | None:
    return datetime.fromisoformat(stamp).timestamp() if stamp else None


def cycle_row(line: dict[str, Any]) -> dict[str, Any]:
    """The figures of one cycle's JSON line (its times as time.time() values)."""
    begun, done = _epoch(line.get("started_at")), _epoch(line.get("finished_at"))
    failures = line.get("failures") or []
    seconds = round(done - begun, 2) if begun is not None and done is not None else None
    failed = sum(int(s.get("failed") or 0) for s in line.get("sources") or [])
    return {"cycle": line.get("cycle"), "started": begun, "finished": done, "seconds": seconds,
            "new_articles": line.get("new_articles"), "extracted": line.get("extracted"),
            "inputs_failed": failed, "alerts_new": (line.get("alerts") or {}).get("new"),
            "failures": len(failures), "first_failures": failures[:3],
            "stage": line.get("stage", "done"), "deferred": line.get("deferred", 0)}  # fmt: skip


def sender(cycles: Sequence[dict[str, Any]], alerted: float | None) -> dict[str, Any] | None:
    """The cycle that wrote an alert seen at ``alerted``: the first that finished after it
    (less the file's poll interval and a margin: the alert is written before the cycle
    ends, and seen up to ALERT_POLL_S later). Cycles run one after another, so no other
    cycle ends that close before the alert."""
    if alerted is None:
        return None
    slack = ALERT_POLL_S + 0.8
    return next((c for c in cycles if c["finished"] and c["finished"] >= alerted - slack), None)


def round_row(
    number: int, items: int, at: float, alerted: float | None, cycles: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """One round's figures: appeared ``at``, its alert seen at ``alerted`` (None: never)."""
    by = sender(cycles, alerted)
    row: dict[str, Any] = {"round": number, "items": items, "cycle": None,
                           "cycle_seconds": None, "new_articles": None, "wait_for_poll_s": None,
                           "poll_to_alert_s": None, "latency_s": None}  # fmt: skip
    if alerted is not None:
        row["latency_s"] = round(alerted - at, 2)
    if alerted is not None and by is not None and by["started"] is not None:
        row.update(cycle=by["cycle"], cycle_seconds=by["seconds"],
                   new_articles=by["new_articles"], wait_for_poll_s=round(by["started"] - at, 2),
                   poll_to_alert_s=round(alerted - by["started"], 2))  # fmt: skip
    return row


def figures(
    seen: Observed, appeared: Sequence[float], codes: Sequence[str],
    rounds: Sequence[Sequence[Item]], loads: Sequence[tuple[float, float, float]],
    warmed: bool, ended: str, work: Path,
) -> dict[str, Any]:  # fmt: skip
    """The rounds' latencies, each with the cycle that sent its alert, and the watcher's
    figures. A latency is the wait for the poll (appearance to the cycle's start) plus the
    time the cycle took to the alert (its start to the alert)."""
    with seen.lock:
        cycles = [cycle_row(line) for _, line in seen.cycles]
    table = [
        round_row(r + 1, len(rounds[r]), at, seen.alert_time(code), cycles)
        for r, (at, code) in enumerate(zip(appeared, codes, strict=False))
    ]
    latencies = [x["latency_s"] for x in table if x["latency_s"] is not None]
    errors = (work / "watch.err").read_text(errors="replace").strip().splitlines()
    return {
        "rounds": table,
        "cycles": [
            {k: v for k, v in c.items() if k not in ("started", "finished")} for c in cycles
        ],
        "median_latency_s": round(statistics.median(latencies), 2) if latencies else None,
        "max_latency_s": max(latencies) if latencies else None,
        "alerted_rounds": len(latencies),
        "alert_lines": len(seen.alerts),
        "peak_rss_mb": round(seen.rss_peak / 2**20, 1),
        "rss_samples": seen.rss_samples,
        "load_average": [[round(x, 2) for x in load] for load in loads],
        "warm_up_finished": warmed,
        "watcher": ended,
        "watcher_stderr_tail": errors[-5:],
    }


def verdict(result: dict[str, Any]) -> str:
    worst, rounds = result["max_latency_s"], result["settings"]["cycles"]
    if worst is None or result["alerted_rounds"] < rounds:
        return f"FAILS the goal: {result['alerted_rounds']} of {rounds} rounds alerted in time"
    met = "meets" if worst <= GOAL_S else "misses"
    median = result["median_latency_s"]
    return f"{met} the {GOAL_S:.0f} s goal: max {worst:.1f} s, median {median:.1f} s"


def print_table(result: dict[str, Any]) -> None:
    keys = ("cycle", "cycle_seconds", "new_articles", "wait_for_poll_s", "poll_to_alert_s",
            "latency_s")  # fmt: skip
    heads = ("cycle", "cycle s", "new", "to poll s", "to alert s", "latency s")
    print("\nround  items " + " ".join(f"{h:>10}" for h in heads))
    for x in result["rounds"]:
        shown = ["-" if x[k] is None else str(x[k]) for k in keys]
        print(f"{x['round']:>5} {x['items']:>6} " + " ".join(f"{c:>10}" for c in shown))
    print("\nevery cycle:")
    for c in result["cycles"]:
        print(f"  cycle {c['cycle']}: {c['seconds']} s, {c['new_articles']} new, "
              f"{c['extracted']} extracted, {c['alerts_new']} new alerts, "
              f"{c['failures']} failures")  # fmt: skip
    print(f"\nlatency: {verdict(result)}")
    print(f"peak RSS of the watcher's process tree: {result['peak_rss_mb']} MB; "
          f"load average (1, 5, 15 min) before/during/after: {result['load_average']}")  # fmt: skip
    print(f"watcher {result['watcher']}; TOCSIN_HOST_DELAY=0 (every page is on one local host); "
          f"requests served: {result['requests']}")  # fmt: skip


def section(result: dict[str, Any]) -> str:
    """The "Watch latency" section of docs/benchmarks.md."""
    s = result["settings"]
    rows = ["| round | items | cycle | cycle s | new | to poll s | to alert s | latency s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    keys = ("cycle", "cycle_seconds", "new_articles", "wait_for_poll_s", "poll_to_alert_s",
            "latency_s")  # fmt: skip
    for x in result["rounds"]:
        shown = ["–" if x[k] is None else str(x[k]) for k in keys]
        rows.append(f"| {x['round']} | {x['items']:,} | " + " | ".join(shown) + " |")
    head = (
        f"`{result['command']}` ({result['date'][:10]}, {result['machine']['cpus']} cores):"
        f" `tocsin watch` polling a local RSS feed every {s['interval_s']} s, which gains"
        f" {s['items']:,} new articles (synthetic, 2–3 KB) every {s['interval_s']} s for"
        f" {s['cycles']} rounds; one article a round carries a sentence the bundled case's"
        " `russian-troops-arrive` indicator links, and an `indicator` rule alerts on it (JSON"
        f" lines). `--workers {s['workers']}`, patterns only, `TOCSIN_HOST_DELAY=0` (every page"
        " is on one local host). Latency: from the round's items appearing in the feed to the"
        " marker's alert line; the wait for the next poll plus the cycle up to its alert."
        f" Load average (1, 5, 15 min) before, during and after: {result['load_average']}."
    )
    lines = ["## Watch latency", "", head, "", *rows, ""]
    lines += [f"Verdict against the issue's {result['goal_s']:.0f} s: {result['verdict']}."]
    lines += ["", f"Peak RSS of the watcher's process tree: {result['peak_rss_mb']:,} MB.", ""]
    drained = result.get("drained_s")
    backlog = (
        f"Every one of the {result['articles']:,} articles was extracted, linked and assessed "
        f"{drained:,} s after the last round appeared."
        if drained is not None
        else "The backlog was not drained within the bench's limit."
    )
    limit = f"{LIMIT}{backlog_limit(result['settings'])} {FETCHING}"
    return "\n".join([*lines, backlog, "", limit]) + "\n"


LIMIT = """How: the watcher reads first the articles an `indicator` or `absent` rule waits \
for (`watch/urgent.py`: the rules linker triages a cycle's new articles on their text, \
some 2.5 ms an article), extracts, links and assesses them, and rings their alerts before \
extracting the rest; a cycle yields to the feed when it falls due again, so each round is \
polled on time. The other rules (threshold, move, leader, uncorroborated) are evaluated \
when a cycle has linked what it extracted, so they follow the backlog."""
FETCHING = """The feed's pages are fetched `fetch_threads` (8) at once, within each host's \
turns (`host_concurrency`, 2 by default: this feed is one host)."""


def backlog_limit(settings: dict[str, Any]) -> str:
    """What the backlog comes from: the stream against this machine's extraction rate with
    both cores busy, as ``bench/engine_speed.py`` last measured it (its largest runs)."""
    if not engine_speed.RESULTS.exists():
        return ""
    runs = json.loads(engine_speed.RESULTS.read_text(encoding="utf-8"))["runs"]
    busy = [r for r in runs if r["cpus"] == 2 and r["articles"] >= 10_000]
    if not busy:
        return ""
    rates = [float(r["articles_per_second_per_core"]) for r in busy]
    whole = [float(r["articles_per_second"]) for r in busy]
    stream = settings["items"] / settings["interval_s"]
    sizes = sorted({int(r["articles"]) for r in busy})
    few, many = round(stream / max(rates)), round(stream / min(rates))
    cores = f"{few}" if few == many else f"{few} to {many}"
    return (
        f" The backlog is what this machine cannot keep up with: extraction runs at"
        f" {min(whole):.1f}–{max(whole):.1f} articles/s on these 2 cores"
        f" ({min(rates):.2f}–{max(rates):.2f} per core, local or Ray, at"
        f" {' and '.join(f'{n:,}' for n in sizes)} articles: `bench/engine_speed.py`), against"
        f" the {stream:.1f} articles/s the stream brings; {settings['items']:,} articles every"
        f" {settings['interval_s']} s all day would need some {cores} such cores."
    )


def write_doc(result: dict[str, Any]) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    doc.write_text(replace_section(doc.read_text(encoding="utf-8"), section(result)), "utf-8")
    print(f"wrote the 'Watch latency' section of {doc.relative_to(ROOT)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000, help="new feed items a round")
    parser.add_argument("--interval", type=int, default=30, help="seconds between rounds and polls")
    parser.add_argument("--cycles", type=int, default=3, help="rounds")
    parser.add_argument("--workers", type=int, default=2, help="the watcher's --workers")
    parser.add_argument("--no-doc", action="store_true", help="print only; write no results")
    parser.add_argument("--from-json", action="store_true", help="the docs from the last results")
    args = parser.parse_args(argv)
    if args.from_json:
        write_doc(json.loads(RESULTS.read_text(encoding="utf-8")))
        return 0
    if args.interval < 10 or args.items < 1 or args.cycles < 1:
        parser.error("--interval is 10 s at least (the sources file's least); --items, --cycles 1+")
    with tempfile.TemporaryDirectory(prefix="watch-latency-") as tmp:
        result = run(args, Path(tmp))
    settings = {"items": args.items, "interval_s": args.interval, "cycles": args.cycles,
                "workers": args.workers, "feed_keeps": FEED_KEEP, "warm_items": WARM_ITEMS,
                "host_delay": 0, "embeddings": False}  # fmt: skip
    result = {
        "command": COMMAND,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings,
        "goal_s": GOAL_S,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        **result,
    }
    result["verdict"] = verdict(result)
    print_table(result)
    if not args.no_doc:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
        write_doc(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
