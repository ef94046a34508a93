"""The one-minute label check: every ShipStation account is checked every minute, and at once
after a webhook hints at new labels. A check may take at most a share of the account's
request budget (TEMUSHIP_LABEL_CHECK_SHARE, 25% by default, of V1's 40 or V2's 200 requests a
minute): when it costs more, the account's interval stretches to keep within that share."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from domain.errors import TemushipError
from flows.serve.accounts import Account

log = logging.getLogger(__name__)

BASE_INTERVAL_S = 60.0
SHARE_ENV = "TEMUSHIP_LABEL_CHECK_SHARE"
INTERVAL_ENV = "TEMUSHIP_LABEL_CHECK_INTERVAL"  # seconds between checks at most, 60 by default
DEFAULT_SHARE = 0.25
LISTINGS = 2  # an estimate before the first check: a page of labels, one of voids (V1)


class UnusableShare(TemushipError):
    """TEMUSHIP_LABEL_CHECK_SHARE is not a number in (0, 1], or TEMUSHIP_LABEL_CHECK_INTERVAL
    not a number of seconds from 1 to 3600."""


def budget_share() -> float:
    raw = os.environ.get(SHARE_ENV, "").strip()
    if not raw:
        return DEFAULT_SHARE
    try:
        share = float(raw.rstrip("%")) / (100.0 if raw.endswith("%") else 1.0)
    except ValueError:
        share = -1.0
    if not 0.0 < share <= 1.0:
        raise UnusableShare(
            f"{SHARE_ENV}={raw!r}: give the share of a ShipStation key's requests a label check "
            "may take, as a number above 0 and at most 1 (or a percentage, e.g. 25%)"
        )
    return share


def base_interval() -> float:
    """The interval an account's checks keep when they cost little (TEMUSHIP_LABEL_CHECK_INTERVAL
    seconds, 60 by default); the share stretches it, never shortens it."""
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    if not raw:
        return BASE_INTERVAL_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 1.0 <= seconds <= 3600.0:
        raise UnusableShare(
            f"{INTERVAL_ENV}={raw!r}: give the seconds between two label checks of an account, "
            "from 1 to 3600 (60 by default)"
        )
    return seconds


def interval_for(cost: float, per_minute: int, share: float, base_s: float = BASE_INTERVAL_S):
    """Seconds between checks that cost `cost` requests each, so that they take at most `share`
    of `per_minute`: the base interval, stretched (whole seconds) when that is not enough."""
    allowed_per_minute = share * per_minute
    return float(max(base_s, math.ceil(60.0 * cost / allowed_per_minute)))


def estimated_cost(account: Account, subscriptions: bool) -> int:
    """One listing for the whole account, whatever its number of shops (flows/serve/labels.py)."""
    return LISTINGS + (1 if subscriptions else 0)


@dataclass
class _Slot:
    account: Account
    due: float
    interval: float
    running: bool = False
    hinted: bool = False  # a hint came while a check ran: run again once it ends


class LabelSchedule:
    """When each account is due; its interval from what its last check cost. Pure: the clock
    is passed in (`now`), so tests drive it."""

    def __init__(
        self, share: float, subscriptions: bool = False, base_s: float = BASE_INTERVAL_S
    ) -> None:
        self.share, self.subscriptions, self.base_s = share, subscriptions, base_s
        self._slots: dict[str, _Slot] = {}

    def set_accounts(self, accounts: list[Account], now: float) -> None:
        """The accounts to check: a new one is due now, a known one keeps its time, one gone
        is dropped (its shops were disconnected)."""
        slots = {}
        for account in accounts:
            slot = self._slots.get(account.account_id)
            if slot is None:
                cost = estimated_cost(account, self.subscriptions)
                interval = interval_for(cost, account.per_minute, self.share, self.base_s)
                slot = _Slot(account, now, interval)
            slot.account = account
            slots[account.account_id] = slot
        self._slots = slots

    def hint(self, account_id: str, now: float) -> bool:
        """A webhook says new labels exist: the account is due now (once, however many)."""
        slot = self._slots.get(account_id)
        if slot is None:
            return False
        if slot.running:
            slot.hinted = True
        else:
            slot.due = min(slot.due, now)
        return True

    def due(self, now: float) -> list[Account]:
        """The accounts due by `now`, marked running until `done`."""
        ready = [s for s in self._slots.values() if s.due <= now and not s.running]
        for slot in ready:
            slot.running = True
        return [s.account for s in ready]

    def done(self, account_id: str, cost: int, now: float) -> float:
        """A check of the account ended, having made `cost` requests: its next is one
        interval from now. Returns that interval."""
        slot = self._slots.get(account_id)
        if slot is None:
            return self.base_s
        slot.interval = interval_for(cost, slot.account.per_minute, self.share, self.base_s)
        slot.due = now if slot.hinted else now + slot.interval
        slot.running = slot.hinted = False
        return slot.interval

    def wait_s(self, now: float) -> float:
        """Seconds until the next account is due (the base interval when none is)."""
        waiting = [s.due for s in self._slots.values() if not s.running]
        return max(0.0, min(waiting) - now) if waiting else self.base_s

    def intervals(self) -> dict[str, float]:
        """Each account's interval in seconds, by account id."""
        return {key: slot.interval for key, slot in self._slots.items()}


class LabelCheckLoop:
    """The thread that runs the schedule: `check(account) -> requests made` for each account
    due; `refresh()` gives the current accounts (shops connected or gone meanwhile)."""

    REFRESH_S = 60.0

    def __init__(
        self,
        schedule: LabelSchedule,
        refresh: Callable[[], list[Account]],
        check: Callable[[Account], int],
        monotonic: Callable[[], float] = time.monotonic,
        on_done: Callable[[Account, float], None] | None = None,
    ) -> None:
        self.schedule, self.refresh, self.check = schedule, refresh, check
        self.monotonic, self.on_done = monotonic, on_done
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._refreshed_at: float | None = None

    def start(self) -> LabelCheckLoop:
        self._refresh_accounts()
        self._thread = threading.Thread(target=self._run, name="label-check", daemon=True)
        self._thread.start()
        return self

    def hint(self, account_id: str) -> None:
        with self._wake:
            if self.schedule.hint(account_id, self.monotonic()):
                self._wake.notify()

    def stop(self, timeout: float = 20.0) -> bool:
        """Ask the loop to stop after the check under way; True if it stopped in time."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                self._wake.wait(timeout=self.schedule.wait_s(self.monotonic()))
                if self._stopping:
                    return
                due = self.schedule.due(self.monotonic())
            for account in due:
                self._check_one(account)
            self._refresh_accounts()

    def _check_one(self, account: Account) -> None:
        try:
            cost = self.check(account)
        except Exception as error:  # logged; the account is checked again next interval
            log.warning("label check of %s failed: %s", account, error)
            cost = estimated_cost(account, self.schedule.subscriptions)
        with self._wake:
            interval = self.schedule.done(account.account_id, cost, self.monotonic())
        if self.on_done is not None:
            try:
                self.on_done(account, interval)
            except Exception as error:  # a display only
                log.warning("could not record the label check of %s: %s", account, error)

    def _refresh_accounts(self) -> None:
        now = self.monotonic()
        if self._refreshed_at is not None and now - self._refreshed_at < self.REFRESH_S:
            return
        try:
            accounts = self.refresh()
        except Exception as error:  # the database may be busy: keep the accounts known
            log.warning("could not read the shops for the label check: %s", error)
            return
        self._refreshed_at = now
        with self._wake:
            self.schedule.set_accounts(accounts, now)
