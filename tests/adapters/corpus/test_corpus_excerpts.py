"""What an error quotes of an answer: at most 200 characters, one line, never a secret."""

from __future__ import annotations

import pytest
from corpus_support import TEMU_SECRET, TEMU_TOKEN

from domain.errors import (
    ConnectionLost,
    MalformedAnswer,
    TransientError,
    UnexpectedAnswer,
    Unreachable,
    UnusableAnswer,
)

excerpt_of = UnusableAnswer.excerpt_of


@pytest.mark.parametrize(
    "body",
    [
        f'{{"access_token": "{TEMU_TOKEN}", "type": "bg.order.list.v2.get"}}',
        f"access_token={TEMU_TOKEN}&app_secret={TEMU_SECRET}&sign=0A1B2C",
        f'{{"app_secret":"{TEMU_SECRET}","sign":"4CCF219942D4180C6DDA3CE36C1B838F"}}',
        "Authorization: Basic Y29ycHVzOnNlY3JldA==\r\nHost: ssapi.shipstation.com",
        f"<p>echo {TEMU_TOKEN} {TEMU_SECRET}</p>",
        f'{{"accessToken": "{TEMU_TOKEN[:20]}',  # cut inside the value
        f"token is {TEMU_TOKEN[:-5]}",  # cut inside the secret itself
    ],
)
def test_secrets_are_masked_named_or_under_a_secret_key(body: str) -> None:
    text = excerpt_of(body, (TEMU_TOKEN, TEMU_SECRET))
    for secret in (TEMU_TOKEN[:12], TEMU_SECRET[:12], "Y29ycHVz", "4CCF2199", "0A1B2C"):
        assert secret not in text
    assert "***" in text


def test_an_excerpt_is_one_short_line() -> None:
    text = excerpt_of(b"<html>\n  <body>\n" + b"x" * 10_000 + b"</body></html>")
    assert len(text) <= UnusableAnswer.EXCERPT_CHARS and "\n" not in text
    assert text.startswith("<html> <body> xxx") and text.endswith("…")


def test_bytes_that_are_not_utf8_are_shown_not_raised() -> None:
    assert excerpt_of(b"\xff\xfe{") == "\ufffd\ufffd{"
    assert excerpt_of(None) == "" and excerpt_of("") == ""


def test_words_that_only_look_like_keys_are_kept() -> None:
    message = "access_token is expired, please sign on the DPA agreement first"
    assert excerpt_of(message) == message


def test_the_kinds_say_whether_to_ask_again() -> None:
    malformed = MalformedAnswer("temu", "not JSON", excerpt="<html>")
    assert isinstance(malformed, TransientError) and malformed.retryable
    assert malformed.excerpt == "<html>" and "[answer: <html>]" in str(malformed)
    unexpected = UnexpectedAnswer("temu", "no pageItems", excerpt="{}")
    assert not isinstance(unexpected, TransientError) and not unexpected.retryable
    assert unexpected.reason == "no pageItems"
    assert "could not reach https://x.test/a" in str(Unreachable("temu", "https://x.test/a", "E"))
    assert isinstance(ConnectionLost("temu", "https://x.test/a", "E"), TransientError)
