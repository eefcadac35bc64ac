"""Inline SVG charts of an assessment, drawn with matplotlib's object API (no pyplot state).

Every chart is rendered under one rc context: text stays SVG text (``svg.fonttype`` none)
and is escaped by matplotlib, ``$`` is never read as mathtext, and ids and metadata are
fixed so the same assessment gives the same bytes. Each chart's ids are prefixed with its
name so several charts can share one HTML page. A chart without data is ``None``.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from tocsin.report.common import ach_labels, colours, group_labels, hypothesis_names, short

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.typing import RcKeyType

    from tocsin.assess.score import Assessment
    from tocsin.assess.track import CalibrationBin

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "tocsin",
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "figure.dpi": 72,
}
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}
_TAG = re.compile(r"<[^>]*>")
# An id, or a reference to one, inside a tag: id="x", xlink:href="#x", url(#x).
_ID_REF = re.compile(r'(\bid="|\bxlink:href="#|\burl\(#)([^")]+)')
_INK = "#333333"
_MUTED = "#888888"
_RATING_COLOURS = "RdBu"  # 1 (very inconsistent) red .. 5 (very consistent) blue


def _prefix_ids(svg: str, name: str) -> str:
    """Make every id (and reference to one) unique to this chart; text is left alone."""

    def tag(match: re.Match[str]) -> str:
        return _ID_REF.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", match.group(0))

    return _TAG.sub(tag, svg)


def _inline(svg: str, name: str, label: str) -> str:
    """The bare ``<svg>`` element, without prolog or DOCTYPE, labelled for screen readers."""
    svg = svg[svg.index("<svg") :].strip()
    svg = _prefix_ids(svg, name)
    # matplotlib escapes text for XML; the label is ours and is escaped the same way.
    aria = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{aria}" ', 1)


def render(name: str, label: str, size: tuple[float, float], draw: Callable[[Figure], None]) -> str:
    """Draw one figure with ``draw`` and return it as inline SVG."""
    with mpl.rc_context(_RC), warnings.catch_warnings():
        # Text from the data may use scripts DejaVu Sans lacks; the browser draws the text
        # with its own fonts (it stays text), so only the layout estimate is affected.
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        figure = Figure(figsize=size, layout="constrained")
        FigureCanvasSVG(figure)
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_METADATA)
    return _inline(buffer.getvalue(), name, label)


def _legend_below(figure: Figure, ax: Axes) -> None:
    """The axes' legend under the whole figure, where constrained layout makes room."""
    handles, labels = ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower left", fontsize=8)


# -- 1. trajectory -----------------------------------------------------------------------


def trajectory(a: Assessment) -> str | None:
    """Each hypothesis's probability: the prior, then after each day with evidence."""
    if not a.trajectory:
        return None
    names = hypothesis_names(a)
    palette = colours(list(a.priors))
    ticks = ["prior", *(d.isoformat() for d, _ in a.trajectory)]
    xs = np.arange(len(ticks))

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for h, prior in a.priors.items():
            ys = [prior, *(p.get(h, 0.0) for _, p in a.trajectory)]
            label = short(f"{h}: {names.get(h, h)}", 70)
            ax.plot(xs, ys, marker="o", markersize=4, color=palette[h], label=label)
        ax.axvspan(-0.4, 0.4, color="#eeeeee", zorder=0)
        ax.set_xticks(xs, ticks, rotation=35, ha="right", fontsize=8)
        ax.set_xlim(-0.5, len(ticks) - 0.5)
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability")
        ax.grid(axis="y", color="#e5e5e5")
        ax.set_title("Probability of each hypothesis as evidence accrues")
        _legend_below(figure, ax)

    height = 3.4 + 0.2 * len(a.priors)
    return render("trajectory", "Probability trajectory of each hypothesis", (7.5, height), draw)


# -- 2. ACH heatmap ---------------------------------------------------------------------


def _cell_text(rating: str | None, mean: float | None) -> tuple[str, str]:
    if rating is None or mean is None:
        return "–", _MUTED
    return rating, "white" if abs(mean - 3) >= 1.5 else _INK


def ach(a: Assessment) -> str | None:
    """Evidence rows × hypotheses, coloured by the mean vote (1–5), lettered by consensus."""
    matrix = a.ach
    if not matrix.evidence:
        return None
    labels = ach_labels(a)
    means = np.array(
        [[_mean(matrix.means.get((e, h))) for h in matrix.hypotheses] for e in matrix.evidence]
    )

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        cmap = mpl.colormaps[_RATING_COLOURS].with_extremes(bad="#f0f0f0")
        image = ax.imshow(
            np.ma.masked_invalid(means), cmap=cmap, norm=Normalize(1, 5), aspect="auto"
        )
        for i, e in enumerate(matrix.evidence):
            for j, h in enumerate(matrix.hypotheses):
                text, colour = _cell_text(matrix.consensus.get((e, h)), matrix.means.get((e, h)))
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color=colour)
        ax.set_xticks(range(len(matrix.hypotheses)), matrix.hypotheses)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(matrix.evidence)), [short(labels[e], 60) for e in matrix.evidence])
        ax.tick_params(axis="y", labelsize=8, length=0)
        ax.tick_params(axis="x", length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = figure.colorbar(image, ax=ax, shrink=min(1.0, 8 / len(matrix.evidence) + 0.2))
        bar.set_ticks([1, 2, 3, 4, 5], labels=["II", "I", "N", "C", "CC"])
        bar.set_label("mean rating", fontsize=8)

    height = max(2.0, 1.2 + 0.21 * len(matrix.evidence))
    width = 5.4 + 0.6 * len(matrix.hypotheses)
    return render("ach", "ACH matrix of evidence against hypotheses", (width, height), draw)


def _mean(value: float | None) -> float:
    return float("nan") if value is None else value


# -- 3. tornado ---------------------------------------------------------------------------


def tornado(a: Assessment, top: int = 15) -> str | None:
    """The source groups that move the leader's probability most, signed."""
    groups = list(a.sensitivity.tornado[:top])
    if not groups:
        return None
    labels = group_labels(a.evidence)
    leader = a.sensitivity.leader

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        ys = np.arange(len(groups))[::-1]
        deltas = [g.delta for g in groups]
        bar_colours = ["#0072B2" if d >= 0 else "#D55E00" for d in deltas]
        bars = ax.barh(ys, deltas, color=bar_colours, height=0.65)
        for bar, g in zip(bars, groups, strict=True):
            if g.pivotal:
                bar.set_edgecolor("black")
                bar.set_linewidth(1.5)
        names = [
            short(labels.get(g.source_key, g.source_key), 55) + (" [pivotal]" if g.pivotal else "")
            for g in groups
        ]
        ax.set_yticks(ys, names, fontsize=8)
        ax.axvline(0, color=_INK, linewidth=0.8)
        ax.set_xlabel(f"change in P({leader}) the group makes (with it − without it)")
        ax.set_title(f"Source groups that move P({leader}) most")
        ax.legend(
            handles=[
                Patch(color="#0072B2", label=f"supports {leader}"),
                Patch(color="#D55E00", label=f"counts against {leader}"),
            ],
            loc="lower right",
            fontsize=7,
        )
        limit = max(abs(d) for d in deltas) or 0.01
        ax.set_xlim(-1.15 * limit, 1.15 * limit)
        ax.grid(axis="x", color="#e5e5e5")

    height = 1.4 + 0.27 * len(groups)
    return render("tornado", "Tornado chart of source-group sensitivity", (9.0, height), draw)


# -- 4. actor rounds ----------------------------------------------------------------------


def actor_rounds(a: Assessment) -> str | None:
    """Each actor's position by round of the bargaining model, with mean and median."""
    rounds = a.actor_rounds
    if not rounds:
        return None
    names = list(rounds[0].positions)
    xs = [r.number for r in rounds]
    scale = a.case.actor_model.scale if a.case.actor_model else None

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        cycle = mpl.colormaps["tab10"]
        for i, name in enumerate(names):
            ys = [r.positions[name] for r in rounds]
            ax.plot(xs, ys, color=cycle(i % 10), linewidth=1, alpha=0.85, label=short(name, 40))
        ax.plot(xs, [r.mean for r in rounds], color="black", linewidth=2.6, label="weighted mean")
        median = [r.median for r in rounds]
        ax.plot(xs, median, color=_MUTED, linewidth=2.6, linestyle="--", label="median")
        if scale:
            ax.set_ylim(*scale)
        ax.set_xlabel("round")
        ax.set_ylabel("position on the issue scale")
        ax.set_xticks(xs)
        ax.grid(axis="y", color="#e5e5e5")
        ax.set_title("Actor positions by round (best-guess inputs)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)

    return render("actor-rounds", "Actor positions by round", (7.5, 3.6), draw)


# -- 5. Monte Carlo -----------------------------------------------------------------------


def monte_carlo(a: Assessment) -> str | None:
    """Final weighted-mean positions over the Monte Carlo draws, outcome bins shaded."""
    model = a.case.actor_model
    if not a.actor_outcomes or model is None:
        return None
    palette = colours(a.case.hypothesis_ids())
    low, high = model.scale

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for h, (start, end) in sorted(model.outcomes.items(), key=lambda kv: kv[1]):
            ax.axvspan(start, end, color=palette.get(h, _MUTED), alpha=0.13, linewidth=0)
            share = a.actor_probabilities.get(h, 0.0)
            ax.text(
                (start + end) / 2,
                1.0,
                f"{h} {share:.0%}",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                color=palette.get(h, _INK),
                fontweight="bold",
            )
        edges = np.linspace(low, high, 41)
        ax.hist(
            a.actor_outcomes, bins=edges.tolist(), color="#555555", edgecolor="white", linewidth=0.4
        )
        ax.set_xlim(low, high)
        ax.set_xlabel("final weighted-mean position")
        ax.set_ylabel("draws")
        title = f"{len(a.actor_outcomes)} Monte Carlo draws of the actors' ranges"
        if a.actor_blocked_draws:  # the shares above count them as the status quo
            title += f"; {a.actor_blocked_draws} vetoed, counted as {a.actor_status_quo}"
        ax.set_title(title, pad=16)

    return render("monte-carlo", "Histogram of Monte Carlo outcomes", (7.5, 3.2), draw)


# -- 6. calibration -----------------------------------------------------------------------


def calibration(a: Assessment) -> str | None:
    """Mean forecast against observed frequency per bin, with the diagonal of perfection."""
    return reliability(a.track.calibration, "calibration", "Calibration of resolved forecasts")


def reliability(bins: Sequence[CalibrationBin], name: str, label: str) -> str | None:
    """A reliability diagram of ``bins`` as inline SVG (None without bins): the report's
    calibration chart, and the backtest's in docs/backtest.md."""
    if not bins:
        return None

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        ax.plot([0, 1], [0, 1], color=_MUTED, linestyle="--", linewidth=1, label="perfect")
        xs = [b.mean_forecast for b in bins]
        ys = [b.observed for b in bins]
        sizes = [20 + 12 * b.count for b in bins]
        ax.scatter(
            xs,
            ys,
            s=sizes,
            color="#0072B2",
            alpha=0.75,
            label="forecasts (size = count)",
            clip_on=False,
            zorder=3,
        )
        for b in bins:
            ax.annotate(
                str(b.count),
                (b.mean_forecast, b.observed),
                xytext=(6, -3),
                textcoords="offset points",
                fontsize=7,
                color=_INK,
            )
        ax.set_xlim(-0.04, 1.04)
        ax.set_ylim(-0.06, 1.06)
        ax.set_aspect("equal")
        ax.set_xlabel("forecast probability")
        ax.set_ylabel("observed frequency")
        ax.grid(color="#eeeeee")
        ax.set_title("Calibration")
        ax.legend(loc="upper left", fontsize=7, markerscale=0.6)

    return render(name, label, (4.2, 4.2), draw)


def all_charts(a: Assessment) -> dict[str, str | None]:
    """Every chart of the report by name."""
    makers: Sequence[tuple[str, Callable[[Assessment], str | None]]] = (
        ("trajectory", trajectory),
        ("ach", ach),
        ("tornado", tornado),
        ("actor_rounds", actor_rounds),
        ("monte_carlo", monte_carlo),
        ("calibration", calibration),
    )
    return {name: make(a) for name, make in makers}
