"""Ringing the bell after a cycle: each touched case's alert rules evaluated on its
assessments before and after, the new alerts stored (deduplicated and rate-limited by the
store), every alert a channel has not sent yet sent on it, and each delivery recorded.

The order makes a crash lose nothing: an alert is stored before any channel sees it, and a
channel is given what the store says it has not sent (``store.alerts.undelivered``), so an
alert stored just before a crash, or one a channel failed to send, goes out at the next
cycle. A channel that sent an alert is never given it again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from tocsin.assess.alert_rules import rate_limits
from tocsin.assess.alerts import evaluate
from tocsin.assess.score import Assessment
from tocsin.files import atomic_write
from tocsin.report.changes import changes_markdown
from tocsin.store import alerts as kept
from tocsin.store.db import Store
from tocsin.watch.channels import send_all
from tocsin.watch.delivery import Channel

LOG = logging.getLogger("tocsin.watch")


@dataclass
class Rung:
    """What one cycle's alerting did."""

    fired: int = 0  # alerts the rules made
    new: int = 0  # of which stored (the rest repeated a key, or were over their rate)
    repeated: int = 0
    held: int = 0  # over their rule's rate: neither stored nor sent
    sent: dict[str, int] = field(default_factory=dict)  # by channel
    failed: dict[str, int] = field(default_factory=dict)  # by channel
    briefs: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "fired": self.fired,
            "new": self.new,
            "repeated": self.repeated,
            "held": self.held,
            "sent": dict(self.sent),
            "failed": dict(self.failed),
            "briefs": [str(p) for p in self.briefs],
        }


def ring(
    store: Store,
    cases: Mapping[str, tuple[Assessment | None, Assessment]],
    channels: Sequence[Channel],
    now: datetime,
    briefs: Path | None = None,
) -> Rung:
    """Evaluate, store and send the alerts of a cycle's ``cases`` (case id -> the
    assessment before the cycle, None the first time, and after it); with ``briefs``, a
    folder, write each touched case's "what changed" brief there as Markdown."""
    rung = Rung()
    for case_id, (before, after) in sorted(cases.items()):
        case = after.case
        fired = evaluate(case, before, after, now)
        done = kept.record_all(store, fired, now, rate_limits(case.alerts, case.id))
        rung.fired += len(fired)
        rung.new += len(done.new)
        rung.repeated += done.repeated
        rung.held += done.held_back
        if briefs is not None:
            rung.briefs.append(_brief(briefs, case_id, now, before, after, done.new))
    for channel in channels:
        _deliver(store, channel, now, rung)
    return rung


def _deliver(store: Store, channel: Channel, now: datetime, rung: Rung) -> None:
    """Send ``channel`` what it has not sent, and record each delivery."""
    waiting = kept.undelivered(store, channel.name)
    if not waiting:
        return
    ids = {alert.key: alert.id for alert in waiting}
    for delivery in send_all([channel], waiting):
        alert_id = ids.get(delivery.key)
        if alert_id is None:  # a channel's report on an alert it was not given
            LOG.warning("channel %s reported on an unknown alert %s", channel.name, delivery.key)
            continue
        status: Literal["sent", "failed"] = "sent" if delivery.status == "sent" else "failed"
        kept.delivered(store, alert_id, channel.name, status, delivery.attempts,
                       delivery.error, now)  # fmt: skip
        tally = rung.sent if status == "sent" else rung.failed
        tally[channel.name] = tally.get(channel.name, 0) + 1


def _brief(
    folder: Path,
    case_id: str,
    now: datetime,
    before: Assessment | None,
    after: Assessment,
    alerts: Sequence[kept.StoredAlert],
) -> Path:
    """The case's "what changed" brief, written whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case_id}-{now.strftime('%Y%m%dT%H%M%SZ')}.md"
    with atomic_write(path) as fh:
        fh.write(changes_markdown(after.case, before, after, list(alerts)))
    return path
