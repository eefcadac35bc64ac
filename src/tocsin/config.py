"""Settings as data: every knob has a name, a default, an environment variable and help text.

A test checks that each setting is documented in docs/cli.md, so none can hide.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tocsin.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    low: float = 0  # the range a number must lie in (docs/cli.md)
    high: float = math.inf

    @property
    def env(self) -> str:
        return "TOCSIN_" + self.name.upper()


GIB = 1024 * 1024 * 1024
MAX_WORKERS = 1024
MAX_HOST_CONCURRENCY = 64
SETTINGS: tuple[Setting, ...] = (
    Setting("db", "tocsin.db", "SQLite database file."),
    Setting(
        "workers",
        0,
        "Worker processes for cleaning and extraction; 0 = one per core.",
        high=MAX_WORKERS,
    ),
    Setting(
        "max_input_bytes", 50 * 1024 * 1024, "Largest input file or record accepted.", 1, 4 * GIB
    ),
    Setting("max_fetch_bytes", 10 * 1024 * 1024, "Largest HTTP response body accepted.", 1, GIB),
    Setting("fetch_timeout", 20.0, "Seconds before an HTTP request is abandoned.", 0.1, 3600),
    Setting(
        "fetch_deadline",
        60.0,
        "Seconds one HTTP response may take in all (connect, headers, body).",
        0.1,
        86_400,
    ),
    Setting(
        "fetch_allow",
        (),
        "Addresses (CIDRs) and host names fetched although private, loopback or reserved.",
    ),
    Setting(
        "host_concurrency", 2, "Requests in flight at once to one host.", 1, MAX_HOST_CONCURRENCY
    ),
    Setting(
        "fetch_threads",
        8,
        "Pages fetched at once, from a feed's entries or a list of URLs (each host's turns"
        " still apply).",
        1,
        MAX_HOST_CONCURRENCY,
    ),
    Setting(
        "host_delay", 1.0, "Least seconds between the starts of requests to one host.", 0, 3600
    ),
    Setting(
        "max_redirects", 5, "Redirects followed before a URL counts as a redirect loop.", high=100
    ),
    Setting("max_html_depth", 200, "Deepest element nesting accepted in an HTML page.", 1, 10_000),
    Setting(
        "near_duplicate_threshold",
        0.6,
        "Shingle Jaccard at or above which an article is a near-duplicate.",
        high=1,
    ),
    Setting(
        "date_horizon_days",
        60,
        "Days after the latest dated event that an undated article may have appeared.",
        high=36_500,
    ),
    Setting(
        "extract_budget",
        300.0,
        "Seconds one article's extraction may take before it is recorded as failed; 0: none.",
        high=86_400,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """Resolved settings; build with ``Config.load(**overrides)``."""

    # Defaults come from SETTINGS, so each is stated once.
    db: Path = Path(_BY_NAME["db"].default)
    workers: int = _BY_NAME["workers"].default
    max_input_bytes: int = _BY_NAME["max_input_bytes"].default
    max_fetch_bytes: int = _BY_NAME["max_fetch_bytes"].default
    fetch_timeout: float = _BY_NAME["fetch_timeout"].default
    fetch_deadline: float = _BY_NAME["fetch_deadline"].default
    fetch_allow: tuple[str, ...] = _BY_NAME["fetch_allow"].default
    host_concurrency: int = _BY_NAME["host_concurrency"].default
    fetch_threads: int = _BY_NAME["fetch_threads"].default
    host_delay: float = _BY_NAME["host_delay"].default
    max_redirects: int = _BY_NAME["max_redirects"].default
    max_html_depth: int = _BY_NAME["max_html_depth"].default
    near_duplicate_threshold: float = _BY_NAME["near_duplicate_threshold"].default
    date_horizon_days: int = _BY_NAME["date_horizon_days"].default
    extract_budget: float = _BY_NAME["extract_budget"].default

    @classmethod
    def load(cls, **overrides: Any) -> Config:
        """Defaults, then TOCSIN_* environment variables, then explicit non-None overrides."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            setting = _BY_NAME.get(f.name)
            if setting is None:
                continue
            raw: Any = os.environ.get(setting.env)
            if overrides.get(f.name) is not None:
                raw = overrides[f.name]
            if raw is None:
                continue
            values[f.name] = _coerce(setting, raw)
        return cls(**values)

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)


def _coerce(setting: Setting, raw: Any) -> Any:
    """Convert a raw value to the type of the setting's default, or raise ConfigError."""
    kind = type(setting.default)
    try:
        if setting.name == "db":
            return Path(raw)
        if setting.name == "fetch_allow":
            try:
                return allow_entries(raw)
            except ConfigError as exc:
                raise ConfigError(f"{setting.env}: {exc}") from None
        value = kind(raw)
    except (TypeError, ValueError, OverflowError) as exc:
        shown = raw if len(str(raw)) <= 40 else f"{str(raw)[:20]}... ({len(str(raw)):,} characters)"
        raise ConfigError(f"{setting.env}={shown!r} is not a valid {kind.__name__}") from exc
    if isinstance(value, int | float) and not setting.low <= value <= setting.high:
        span = f"{_number(setting.low)} and {_number(setting.high)}"
        raise ConfigError(f"{setting.env} must lie between {span}, got {_number(value)}")
    return value


def _number(value: float) -> str:
    """A number for a message: 4,294,967,296, 0.1, nan, or the start of a long integer."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"  # also nan and inf
    text = f"{int(value):,}"
    return text if len(text) <= 30 else f"{text[:15]}... ({len(str(abs(int(value))))} digits)"


_HOST_NAME = re.compile(
    r"(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*"
)


def allow_entries(raw: Any) -> tuple[str, ...]:
    """The fetch allow-list as a tuple of CIDRs, addresses and lower-case host names.

    ``raw`` is a string (the environment variable: entries separated by commas or spaces)
    or a sequence of strings (the command line). An entry that is neither an address, a
    network nor a host name is refused, so a typo does not silently open nothing.
    """
    items = re.split(r"[,\s]+", raw) if isinstance(raw, str) else list(raw)
    entries: list[str] = []
    for item in items:
        entry = str(item).strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if not _HOST_NAME.fullmatch(entry):
                raise ConfigError(
                    f"{str(item)[:60]!r} is neither an address, a network (CIDR) nor a host name"
                ) from None
        entries.append(entry)
    return tuple(dict.fromkeys(entries))
