"""The Atom channel: alerts as entries of an Atom 1.0 feed file that any feed reader can
follow (docs/alerts-channels.md).

The file keeps the newest ``keep`` entries, newest first. An entry's id is a ``urn:uuid``
made from the alert's key, so an alert sent twice is one entry (the later copy replaces the
earlier). Each send reads the entries already in the file, merges, and writes the whole
feed to a temporary file in the same folder that then replaces the old one, so a reader (or
a crash) never sees half a feed. A file that cannot be read as such a feed is moved aside,
with a warning naming both paths, and a new feed is started: nothing is silently dropped.

The XML is built with ElementTree, which escapes; text is kept as text (type="text"), so an
alert quoting ``<script>`` shows the words and runs nothing. Characters XML forbids are
removed.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from tocsin.models.alerts import Alert
from tocsin.watch.delivery import Delivery, alert_text, failed, one_line, sent, utc, xml_safe

LOG = logging.getLogger("tocsin.watch")
ATOM = "http://www.w3.org/2005/Atom"
NS = "{" + ATOM + "}"  # tags as ElementTree parses them; built ones are bare
# Entry ids are uuid5 of the alert's key in this namespace: stable across runs and machines.
ALERT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/tocsin/#alerts")
CATEGORY_SCHEME = "https://pypi.org/project/tocsin/#alert-kind"
DEFAULT_KEEP = 100


class DamagedFeed(Exception):
    """The existing file is not an Atom feed this channel can merge with."""


def entry_id(key: str) -> str:
    """The Atom id of the alert with ``key``."""
    return f"urn:uuid:{uuid.uuid5(ALERT_NAMESPACE, key)}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = xml_safe(text)
    return element


def alert_entry(alert: Alert) -> ET.Element:
    """One alert as an Atom <entry>."""
    entry = ET.Element("entry")
    _sub(entry, "id", entry_id(alert.key))
    _sub(entry, "title", one_line(alert.title), type="text")
    _sub(entry, "updated", _stamp(alert.fired_at))
    author = _sub(entry, "author")
    _sub(author, "name", "tocsin")
    _sub(entry, "category", term=xml_safe(alert.kind), scheme=CATEGORY_SCHEME)
    for item in alert.evidence:
        # Only web links: a javascript: or file: URL in a feed reader is a trap.
        if item.url and item.url.lower().startswith(("http://", "https://")):
            _sub(entry, "link", rel="related", href=xml_safe(item.url))
    _sub(entry, "summary", alert.detail, type="text")
    _sub(entry, "content", alert_text(alert), type="text")
    return entry


def _bare(entry: ET.Element) -> ET.Element:
    """A parsed entry with its Atom tags unqualified, like the ones built here; the feed
    element declares the Atom namespace as the default for all of them."""
    for element in entry.iter():
        if element.tag.startswith(NS):
            element.tag = element.tag[len(NS) :]
    return entry


def _stamp(moment: datetime) -> str:
    """An RFC 3339 date-time in UTC, as Atom wants."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def _updated(entry: ET.Element) -> datetime:
    text = (entry.findtext("updated") or "").strip()
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError as exc:
        raise DamagedFeed(f"an entry's <updated> is not a date: {text!r}") from exc


def read_entries(path: Path) -> tuple[str | None, list[ET.Element]]:
    """The feed id and the entries of the feed at ``path``; (None, []) when there is none.

    Raises DamagedFeed when the file is not well-formed XML, is not an Atom feed, carries a
    DTD or entities (defusedxml refuses those), or has an entry without an id or a date;
    OSError when it cannot be read at all (that is not damage: the file stays where it is).
    """
    if not path.exists():
        return None, []
    try:
        root = SafeET.parse(path).getroot()
    except (ET.ParseError, DefusedXmlException) as exc:
        raise DamagedFeed(f"not well-formed XML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DamagedFeed(f"cannot be decoded: {exc}") from exc
    if root is None or root.tag != NS + "feed":
        found = "nothing" if root is None else repr(root.tag)
        raise DamagedFeed(f"the root element is {found}, not an Atom <feed>")
    entries = [_bare(entry) for entry in root.findall(NS + "entry")]
    for entry in entries:
        if not (entry.findtext("id") or "").strip():
            raise DamagedFeed("an entry has no <id>")
        _updated(entry)
    return (root.findtext(NS + "id") or "").strip() or None, entries


class AtomChannel:
    """Keep the newest ``keep`` alerts as entries of the Atom feed at ``path``."""

    def __init__(
        self,
        path: Path,
        *,
        name: str = "atom",
        keep: int = DEFAULT_KEEP,
        title: str = "tocsin alerts",
        feed_id: str | None = None,
        self_url: str | None = None,
    ) -> None:
        if keep < 1:
            raise ValueError("an Atom feed must keep at least one entry")
        self.name = name
        self.path = Path(path)
        self.keep = keep
        self.title = title
        self.feed_id = feed_id
        self.self_url = self_url

    def send(self, alerts: Sequence[Alert]) -> list[Delivery]:
        if not alerts:
            return []
        try:
            self.write(alerts)
        except OSError as exc:
            reason = f"cannot write the feed {self.path}: {exc.strerror or exc}"
            return [failed(self.name, alert, reason) for alert in alerts]
        return [sent(self.name, alert) for alert in alerts]

    def write(self, alerts: Sequence[Alert]) -> None:
        """Merge ``alerts`` into the feed file and replace it atomically."""
        try:
            old_id, old = read_entries(self.path)
        except DamagedFeed as exc:
            aside = self._move_aside()
            LOG.warning(
                "the Atom feed %s is damaged (%s); moved it to %s and started a new feed",
                self.path,
                exc,
                aside,
            )
            old_id, old = None, []
        by_id: dict[str, ET.Element] = {}
        for entry in [*old, *(alert_entry(a) for a in alerts)]:  # later copies win
            by_id[(entry.findtext("id") or "").strip()] = entry
        newest = sorted(by_id.values(), key=_updated, reverse=True)[: self.keep]
        feed = self._feed(newest, self.feed_id or old_id or self._default_id())
        self._replace(feed)

    def _default_id(self) -> str:
        where = self.path.resolve().as_uri()
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, where)}"

    def _feed(self, entries: list[ET.Element], feed_id: str) -> ET.Element:
        feed = ET.Element("feed", xmlns=ATOM)
        _sub(feed, "id", feed_id)
        _sub(feed, "title", self.title, type="text")
        updated = _updated(entries[0]) if entries else datetime.now(UTC)
        _sub(feed, "updated", _stamp(updated))
        author = _sub(feed, "author")
        _sub(author, "name", "tocsin")
        _sub(feed, "generator", "tocsin", uri="https://pypi.org/project/tocsin/")
        if self.self_url:
            _sub(feed, "link", rel="self", href=xml_safe(self.self_url))
        feed.extend(entries)
        return feed

    def _replace(self, feed: ET.Element) -> None:
        """Write ``feed`` beside the file, flush it to disk, then rename it over the file."""
        folder = self.path.parent
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                ET.ElementTree(feed).write(fh, encoding="utf-8", xml_declaration=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _move_aside(self) -> Path:
        """Rename the damaged file to ``<name>.damaged-<UTC time>[-n]``; return where."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        os.replace(self.path, aside)
        return aside
