from datetime import timedelta

import pytest

from domain.model import Source
from domain.token import DEFAULT_LIFETIME, Token, TokenInfo, TokenState
from tests.builders import T0, ctx

INFO = TokenInfo(635517726820718, 211, T0 + timedelta(days=30), frozenset({"bg.order.list.v2.get"}))


def token(expires_in_days: float | None = 30) -> Token:
    expiry = T0 + timedelta(days=expires_in_days) if expires_in_days is not None else None
    return Token.from_info("shop", TokenInfo(1, 211, expiry, frozenset()), T0)


class TestExpiry:
    def test_the_expiry_temu_gives_is_kept(self):
        tok = Token.from_info("shop", INFO, T0)
        assert tok.expires_at == INFO.expires_at and tok.expiry_known

    def test_without_an_expiry_it_defaults_to_90_days_from_authorisation(self):
        tok = token(None)
        assert tok.expires_at == T0 + DEFAULT_LIFETIME and not tok.expiry_known


class TestClock:
    @pytest.mark.parametrize(
        ("days_left", "threshold"),
        [(14, 14), (10, 14), (7, 7), (3, 3), (1, 1), (0.5, 1), (20, None)],
    )
    def test_the_warning_threshold_reached(self, days_left, threshold):
        tok = token(days_left)
        assert tok.warning_threshold(T0) == threshold

    def test_inside_the_window_the_token_is_expiring_and_still_usable(self):
        tok = token(5)
        tok.check_clock(ctx(Source.CLOCK))
        assert tok.state is TokenState.EXPIRING and tok.usable

    def test_outside_the_window_it_stays_active(self):
        tok = token(60)
        entry = tok.check_clock(ctx(Source.CLOCK))
        assert tok.state is TokenState.ACTIVE and entry.accepted

    def test_past_the_expiry_it_is_expired_by_the_clock(self):
        tok = token(5)
        tok.check_clock(ctx(Source.CLOCK, at=T0 + timedelta(days=6)))
        assert tok.state is TokenState.EXPIRED and not tok.usable


class TestApiAnswers:
    @pytest.mark.parametrize(
        ("event", "state"),
        [
            ("api_said_expired", TokenState.EXPIRED),
            ("api_said_revoked", TokenState.REVOKED),
            ("api_said_permission_missing", TokenState.MISSING_PERMISSION),
        ],
    )
    def test_an_api_answer_moves_the_token(self, event, state):
        tok = token()
        tok.api_said(event, ctx(), "Temu answered")
        assert tok.state is state and not tok.usable

    def test_a_new_token_validated_makes_it_active_again(self):
        tok = token()
        tok.api_said("api_said_expired", ctx(), "expired")
        tok.start_reauthorization(ctx(Source.OPERATOR))
        assert tok.state is TokenState.REAUTHORIZING
        tok.accept_new_token(INFO, ctx(Source.OPERATOR, at=T0 + timedelta(days=1)))
        assert tok.state is TokenState.ACTIVE and tok.expires_at == INFO.expires_at

    def test_a_rejected_new_token_leaves_it_unusable(self):
        tok = token()
        tok.api_said("api_said_expired", ctx(), "expired")
        tok.start_reauthorization(ctx(Source.OPERATOR))
        tok.reject_new_token(ctx(Source.OPERATOR), "3000031")
        assert tok.state is TokenState.REAUTHORIZING and not tok.usable

    def test_every_event_writes_history_even_a_refused_one(self):
        tok = token()
        tok.api_said("api_said_revoked", ctx(), "revoked")
        refused = tok.api_said("api_said_permission_missing", ctx(), "no scope")
        assert [e.event for e in tok.new_history] == [
            "api_said_revoked",
            "api_said_permission_missing",
        ]
        assert not refused.accepted and tok.state is TokenState.REVOKED
        assert refused.from_state == refused.to_state == "revoked"
