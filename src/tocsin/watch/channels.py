"""Alert channels: where ``tocsin watch`` sends the alerts its rules make, and the
``channels:`` section of the watcher's config file that names them
(docs/alerts-channels.md).

    channels:
      - {type: jsonl}                                   # JSON lines on stdout
      - {type: atom, path: alerts.xml, keep: 100}       # an Atom feed file
      - {type: webhook, url: https://example.org/hook, secret_env: TOCSIN_WEBHOOK_SECRET}
      - {type: email, host: mail.example.org, port: 587, starttls: true,
         from: tocsin@example.org, to: [desk@example.org],
         user_env: TOCSIN_SMTP_USER, password_env: TOCSIN_SMTP_PASSWORD}

Secrets are never in the file: it names the environment variables that hold them, and a
variable that is not set is an error naming it. ``send_all`` sends a cycle's alerts to every
channel and returns one Delivery per alert and channel; a channel that breaks fails its own
deliveries and no one else's.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from tocsin.errors import ConfigError, InvalidInput
from tocsin.models.alerts import Alert
from tocsin.watch.atom import DEFAULT_KEEP, AtomChannel
from tocsin.watch.delivery import Channel, Delivery, failed, sent
from tocsin.watch.mail import EmailChannel, SmtpSettings
from tocsin.watch.webhook import RetryPolicy, WebhookChannel

__all__ = [
    "AtomChannel",
    "Channel",
    "ChannelConfig",
    "Delivery",
    "EmailChannel",
    "JsonLinesChannel",
    "WebhookChannel",
    "build_channels",
    "channel_configs",
    "channels_from_file",
    "parse_channels",
    "send_all",
]

LOG = logging.getLogger("tocsin.watch")
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# Keys that would put a secret in the file; the error says which *_env key to use instead.
_SECRET_KEYS = {"secret": "secret_env", "password": "password_env", "user": "user_env"}


class JsonLinesChannel:
    """One JSON object per alert per line (``Alert.as_json()``), flushed after each, on a
    text stream (stdout when none is given) or appended to the file at ``path``."""

    def __init__(
        self, stream: TextIO | None = None, *, path: Path | None = None, name: str = "jsonl"
    ) -> None:
        self.name = name
        self.stream = stream
        self.path = path

    def send(self, alerts: Sequence[Alert]) -> list[Delivery]:
        if not alerts:
            return []
        if self.path is None:
            # stdout is looked up now, not at construction, so a redirected one is used.
            return self._write(self.stream or sys.stdout, alerts)
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                return self._write(fh, alerts)
        except OSError as exc:
            reason = f"cannot append to {self.path}: {exc.strerror or exc}"
            return [failed(self.name, alert, reason) for alert in alerts]

    def _write(self, stream: TextIO, alerts: Sequence[Alert]) -> list[Delivery]:
        deliveries = []
        for alert in alerts:
            try:
                # allow_nan=False: a NaN would make the line invalid JSON; better refuse it.
                line = json.dumps(alert.as_json(), ensure_ascii=False, allow_nan=False)
                stream.write(line + "\n")
                stream.flush()
            except (OSError, ValueError, TypeError) as exc:
                deliveries.append(failed(self.name, alert, f"not written: {exc}"))
            else:
                deliveries.append(sent(self.name, alert))
        return deliveries


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class JsonlConfig(_Options):
    """JSON lines: on stdout, or appended to ``path``."""

    type: Literal["jsonl"]
    path: str | None = None


class AtomConfig(_Options):
    """An Atom feed file keeping the newest ``keep`` alerts."""

    type: Literal["atom"]
    path: str = Field(min_length=1)
    keep: int = Field(DEFAULT_KEEP, ge=1, le=10_000)
    title: str = Field("tocsin alerts", min_length=1, max_length=200)
    feed_id: str | None = None  # default: a urn:uuid made from the file's absolute path
    self_url: str | None = None  # where the feed is published, for rel="self"


class WebhookConfig(_Options):
    """A signed JSON POST per alert; the retry limits of webhook.RetryPolicy."""

    type: Literal["webhook"]
    url: str
    secret_env: str = Field(pattern=_ENV_NAME)
    timeout: float = Field(10.0, gt=0, le=300)
    attempts: int = Field(5, ge=1, le=20)
    backoff_base: float = Field(1.0, ge=0, le=600)
    backoff_factor: float = Field(2.0, ge=1, le=10)
    backoff_max: float = Field(60.0, ge=0, le=3600)
    max_total: float = Field(120.0, gt=0, le=3600)
    max_retry_after: float = Field(60.0, ge=0, le=3600)

    @model_validator(mode="after")
    def _web_url(self) -> WebhookConfig:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be an http:// or https:// URL, not {self.url!r}")
        return self


class EmailConfig(_Options):
    """One message per alert through an SMTP server."""

    type: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(25, ge=1, le=65_535)
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    tls: bool = False
    user_env: str | None = Field(None, pattern=_ENV_NAME)
    password_env: str | None = Field(None, pattern=_ENV_NAME)
    timeout: float = Field(30.0, gt=0, le=600)
    max_total: float = Field(300.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _sound(self) -> EmailConfig:
        for address in (self.sender, *self.to):
            if "@" not in address or any(c in address for c in "\r\n,;"):
                raise ValueError(f"{address!r} is not one e-mail address")
        if (self.user_env is None) != (self.password_env is None):
            raise ValueError("user_env and password_env go together: give both or neither")
        if self.tls and self.starttls:
            raise ValueError(
                "tls (TLS from the first byte, port 465) and starttls (an upgrade, port 587)"
                " are two ways of securing one connection: give one"
            )
        if self.user_env and not (self.starttls or self.tls) and not _loopback(self.host):
            raise ValueError(
                "logging in without starttls or tls would send the password in clear;"
                " set starttls: true (port 587) or tls: true (port 465)"
            )
        return self


ChannelConfig = Annotated[
    JsonlConfig | AtomConfig | WebhookConfig | EmailConfig, Field(discriminator="type")
]
_CONFIGS: TypeAdapter[list[ChannelConfig]] = TypeAdapter(list[ChannelConfig])


def _loopback(host: str) -> bool:
    """Whether ``host`` is this machine, where a password in clear does not cross a network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def channel_configs(section: Any, where: str = "channels") -> list[ChannelConfig]:
    """The ``channels:`` section validated; InvalidInput naming every fault at once."""
    if section is None:
        return []
    try:
        return _CONFIGS.validate_python(section)
    except ValidationError as exc:
        faults = [_fault(error, where) for error in exc.errors()]
        raise InvalidInput("invalid channels:\n  " + "\n  ".join(faults)) from None


def _fault(error: Mapping[str, Any], where: str) -> str:
    """One pydantic error as ``channels[2].url: <why>``, with a hint for a secret in the file."""
    path = where
    for part in error["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("jsonl", "atom", "webhook", "email"):  # pydantic's union branch
            path += f".{part}"
    key = error["loc"][-1] if error["loc"] else None
    if error["type"] == "extra_forbidden" and key in _SECRET_KEYS:
        return (
            f"{path}: secrets are not kept in the file; put it in an environment variable "
            f"and name that with {_SECRET_KEYS[key]}"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{path}: {message}"


def _secret(variable: str, environ: Mapping[str, str], channel: str) -> str:
    """The value of ``variable``; ConfigError naming it when it is not set or is empty."""
    value = environ.get(variable)
    if not value:
        state = "is empty" if value is not None else "is not set"
        raise ConfigError(f"channel {channel!r}: the environment variable {variable} {state}")
    return value


def _names(configs: Sequence[ChannelConfig]) -> list[str]:
    """Each channel's name: the one given, else its type, numbered when a type repeats."""
    given = [c.name for c in configs if c.name]
    twice = sorted({name for name in given if given.count(name) > 1})
    if twice:
        raise InvalidInput(f"channels: more than one channel is named {', '.join(twice)}")
    names: list[str] = []
    taken = set(given)
    for config in configs:
        name = config.name or config.type
        n = 1
        while config.name is None and (name in taken or name in names):
            n += 1
            name = f"{config.type}-{n}"
        names.append(name)
    return names


def build_channels(
    configs: Sequence[ChannelConfig],
    *,
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Channel]:
    """The channels ``configs`` describe; relative paths are taken from ``base_dir`` (the
    config file's folder) and secrets from ``environ`` (os.environ by default)."""
    env = os.environ if environ is None else environ
    base = base_dir or Path.cwd()
    return [
        _build(config, name, base, env)
        for config, name in zip(configs, _names(configs), strict=True)
    ]


def _build(config: ChannelConfig, name: str, base: Path, env: Mapping[str, str]) -> Channel:
    if isinstance(config, JsonlConfig):
        return JsonLinesChannel(path=base / config.path if config.path else None, name=name)
    if isinstance(config, AtomConfig):
        return AtomChannel(
            base / config.path,
            name=name,
            keep=config.keep,
            title=config.title,
            feed_id=config.feed_id,
            self_url=config.self_url,
        )
    if isinstance(config, WebhookConfig):
        policy = RetryPolicy(
            attempts=config.attempts,
            base=config.backoff_base,
            factor=config.backoff_factor,
            max_delay=config.backoff_max,
            max_total=config.max_total,
            max_retry_after=config.max_retry_after,
            timeout=config.timeout,
        )
        secret = _secret(config.secret_env, env, name).encode("utf-8")
        return WebhookChannel(config.url, secret, name=name, policy=policy)
    settings = SmtpSettings(
        host=config.host,
        port=config.port,
        sender=config.sender,
        recipients=tuple(config.to),
        starttls=config.starttls,
        tls=config.tls,
        user=_secret(config.user_env, env, name) if config.user_env else None,
        password=_secret(config.password_env, env, name) if config.password_env else None,
        timeout=config.timeout,
        max_total=config.max_total,
    )
    return EmailChannel(settings, name=name)


def parse_channels(
    section: Any,
    *,
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    where: str = "channels",
) -> list[Channel]:
    """The channels of a config file's ``channels:`` section, ready to send."""
    return build_channels(channel_configs(section, where), base_dir=base_dir, environ=environ)


def channels_from_file(path: Path, environ: Mapping[str, str] | None = None) -> list[Channel]:
    """The channels of the ``channels:`` section of the YAML file at ``path`` (none when it
    has no such section); relative paths are taken from the file's folder."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: the file must be a mapping of sections, such as channels:")
    return parse_channels(
        data.get("channels"),
        base_dir=path.parent,
        environ=environ,
        where=f"{path}: channels",
    )


def send_all(channels: Sequence[Channel], alerts: Sequence[Alert]) -> list[Delivery]:
    """Send ``alerts`` to every channel in turn; one Delivery per alert and channel.

    A channel that raises (a bug, or a failure it did not foresee) fails its own
    deliveries with the reason; the channels after it still send."""
    deliveries: list[Delivery] = []
    for channel in channels:
        try:
            deliveries += channel.send(alerts)
        except Exception as exc:  # one broken channel must not silence the others
            LOG.exception("alert channel %s failed", channel.name)
            reason = f"the channel failed: {type(exc).__name__}: {exc}"
            deliveries += [failed(channel.name, alert, reason) for alert in alerts]
    return deliveries
