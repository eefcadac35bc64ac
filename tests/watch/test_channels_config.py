"""The ``channels:`` section of the watcher's config file: each channel type with its options,
secrets from the environment (a missing variable is an error naming it), every fault of the
section reported at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tocsin.errors import ConfigError, InvalidInput
from tocsin.watch.atom import AtomChannel
from tocsin.watch.channels import (
    EmailConfig,
    JsonLinesChannel,
    WebhookConfig,
    channel_configs,
    channels_from_file,
    parse_channels,
)
from tocsin.watch.mail import EmailChannel
from tocsin.watch.webhook import WebhookChannel

EXAMPLE = """
channels:
  - {type: jsonl}
  - {type: jsonl, path: out/alerts.jsonl, name: archive}
  - {type: atom, path: alerts.xml, keep: 50, self_url: https://example.org/alerts.xml}
  - type: webhook
    url: https://hooks.example.org/tocsin
    secret_env: TOCSIN_WEBHOOK_SECRET
    attempts: 3
    max_total: 30
  - type: email
    host: mail.example.org
    port: 587
    starttls: true
    from: tocsin@example.org
    to: [desk@example.org, analyst@example.net]
    user_env: TOCSIN_SMTP_USER
    password_env: TOCSIN_SMTP_PASSWORD
"""
SENDER = "tocsin@example.org"
ENV = {
    "TOCSIN_WEBHOOK_SECRET": "hook-secret",
    "TOCSIN_SMTP_USER": "tocsin",
    "TOCSIN_SMTP_PASSWORD": "mail-secret",
}


def section(text: str = EXAMPLE) -> object:
    return yaml.safe_load(text)["channels"]


def test_the_example_section_builds_every_channel(tmp_path: Path) -> None:
    channels = parse_channels(section(), base_dir=tmp_path, environ=ENV)
    assert [c.name for c in channels] == ["jsonl", "archive", "atom", "webhook", "email"]
    stdout, archive, atom, hook, mail = channels
    assert isinstance(stdout, JsonLinesChannel)
    assert stdout.path is None
    assert isinstance(archive, JsonLinesChannel)
    assert archive.path == tmp_path / "out" / "alerts.jsonl"
    assert isinstance(atom, AtomChannel)
    assert (atom.path, atom.keep, atom.self_url) == (
        tmp_path / "alerts.xml",
        50,
        "https://example.org/alerts.xml",
    )
    assert isinstance(hook, WebhookChannel)
    assert hook.url == "https://hooks.example.org/tocsin"
    assert (hook.policy.attempts, hook.policy.max_total, hook.policy.timeout) == (3, 30.0, 10.0)
    assert isinstance(mail, EmailChannel)
    s = mail.settings
    assert (s.host, s.port, s.starttls, s.sender) == ("mail.example.org", 587, True, SENDER)
    assert s.recipients == ("desk@example.org", "analyst@example.net")
    assert (s.user, s.password) == ("tocsin", "mail-secret")


@pytest.mark.parametrize("variable", sorted(ENV))
def test_a_missing_secret_variable_is_an_error_naming_it(variable: str) -> None:
    env = {k: v for k, v in ENV.items() if k != variable}
    with pytest.raises(ConfigError, match=f"the environment variable {variable} is not set"):
        parse_channels(section(), environ=env)


def test_an_empty_secret_variable_is_an_error_too() -> None:
    with pytest.raises(ConfigError, match="TOCSIN_WEBHOOK_SECRET is empty"):
        parse_channels(section(), environ={**ENV, "TOCSIN_WEBHOOK_SECRET": ""})


@pytest.mark.parametrize(("key", "hint"), [("secret", "secret_env"), ("password", "password_env")])
def test_a_secret_written_in_the_file_is_refused_with_a_hint(key: str, hint: str) -> None:
    entry = (
        {"type": "webhook", "url": "https://h.example.org/", "secret_env": "X", key: "oops"}
        if key == "secret"
        else {"type": "email", "host": "m", "from": "a@b.c", "to": ["d@e.f"], key: "oops"}
    )
    with pytest.raises(InvalidInput, match=f"channels\\[0\\].{key}: secrets are not kept") as err:
        channel_configs([entry])
    assert hint in str(err.value)


def test_every_fault_is_reported_at_once() -> None:
    bad = [
        {"type": "pager"},
        {"type": "atom"},
        {"type": "webhook", "url": "ftp://example.org/x", "secret_env": "S"},
        {"type": "email", "host": "m", "from": "nobody", "to": []},
        {"type": "jsonl", "colour": "red"},
        {"type": "atom", "path": "a.xml", "keep": 0},
    ]
    with pytest.raises(InvalidInput) as err:
        channel_configs(bad)
    message = str(err.value)
    assert "channels[0]: Input tag 'pager' found using 'type' does not match" in message
    assert "channels[1].path: Field required" in message
    assert "channels[2]: url must be an http:// or https:// URL" in message
    assert "channels[3].to: List should have at least 1 item" in message
    assert "channels[4].colour: Extra inputs are not permitted" in message
    assert "channels[5].keep: Input should be greater than or equal to 1" in message


def test_not_a_list_is_refused_and_nothing_is_no_channels() -> None:
    with pytest.raises(InvalidInput, match="channels: Input should be a valid list"):
        channel_configs({"type": "jsonl"})
    assert channel_configs(None) == []
    assert parse_channels([]) == []


def test_login_without_starttls_is_refused_except_on_loopback() -> None:
    entry = {
        "type": "email",
        "host": "mail.example.org",
        "from": "a@example.org",
        "to": ["b@example.org"],
        "user_env": "U",
        "password_env": "P",
    }
    with pytest.raises(InvalidInput, match="send the password in clear"):
        channel_configs([entry])
    (config,) = channel_configs([{**entry, "host": "127.0.0.1"}])
    assert isinstance(config, EmailConfig)
    with pytest.raises(InvalidInput, match="user_env and password_env go together"):
        channel_configs([{**entry, "starttls": True, "password_env": None}])


def test_an_address_with_a_line_break_is_refused() -> None:
    entry = {"type": "email", "host": "m", "from": "a@b.c", "to": ["d@e.f\nBcc: x@y.z"]}
    with pytest.raises(InvalidInput, match="is not one e-mail address"):
        channel_configs([entry])


def test_names_repeat_numbered_and_given_names_are_unique() -> None:
    hooks = [
        {"type": "webhook", "url": f"https://h{n}.example.org/", "secret_env": "S"}
        for n in range(3)
    ]
    channels = parse_channels(hooks, environ={"S": "x"})
    assert [c.name for c in channels] == ["webhook", "webhook-2", "webhook-3"]
    with pytest.raises(InvalidInput, match="more than one channel is named a"):
        parse_channels([{"type": "jsonl", "name": "a"}, {"type": "jsonl", "name": "a"}])
    named = parse_channels([{"type": "jsonl", "name": "jsonl-2"}, {"type": "jsonl"}])
    assert [c.name for c in named] == ["jsonl-2", "jsonl"]


def test_retry_limits_are_bounded() -> None:
    entry = {"type": "webhook", "url": "https://h.example.org/", "secret_env": "S"}
    for key, value in (("attempts", 0), ("attempts", 100), ("max_total", 0), ("timeout", -1)):
        with pytest.raises(InvalidInput, match=f"channels\\[0\\].{key}"):
            channel_configs([{**entry, key: value}])
    (config,) = channel_configs([entry])
    assert isinstance(config, WebhookConfig)
    assert (config.attempts, config.backoff_base, config.backoff_factor) == (5, 1.0, 2.0)


def test_a_config_file_gives_its_channels_with_paths_from_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    path = folder / "watch.yaml"
    path.write_text("sources: []\n" + EXAMPLE, "utf-8")
    channels = channels_from_file(path, environ=ENV)
    assert [c.name for c in channels] == ["jsonl", "archive", "atom", "webhook", "email"]
    atom = channels[2]
    assert isinstance(atom, AtomChannel)
    assert atom.path == folder / "alerts.xml"
    path.write_text("sources: []\n", "utf-8")
    assert channels_from_file(path) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("channels: [{type: jsonl}\n", "not valid YAML"),
        ("- just a list\n", "must be a mapping"),
        ("channels: [{type: atom}]\n", "watch.yaml: channels[0].path: Field required"),
    ],
)
def test_a_bad_config_file_is_an_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "watch.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        channels_from_file(path)
    with pytest.raises(InvalidInput, match="cannot be read"):
        channels_from_file(tmp_path / "missing.yaml")
