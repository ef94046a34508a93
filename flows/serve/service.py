"""`temuship serve`, start to stop: the checks that refuse before anything starts, the Prefect
server (PREFECT_API_URL's, or one started here), the runner with prefect.yaml's deployments,
the webhook receiver, the label check, the ready line; then, on SIGINT/SIGTERM, everything
stopped in reverse within 30 s (a second signal stops at once)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.errors import TemushipError
from domain.ports import Services
from flows.serve.accounts import Account, accounts
from flows.serve.prefect_server import PrefectServer, PrefectServerProblem, healthy
from flows.serve.processes import end_children, port_free
from flows.wording import plural

log = logging.getLogger("flows.serve")
STOP_WITHIN_S = 30.0
HEALTH_EVERY_S = 15.0
RESTARTS = 3  # times within RESTARTS_WITHIN_S a server serve started is started again
RESTARTS_WITHIN_S = 3600.0  # a server that died once a week for months never stops serve
EXTERNAL_GRACE_S = 300.0  # how long PREFECT_API_URL's server may stay silent before serve exits


class Restarts:
    """The restarts of the Prefect server serve started, within the last RESTARTS_WITHIN_S."""

    def __init__(self) -> None:
        self._at: list[float] = []

    def count(self, now: float) -> int:
        """One more restart at `now`: how many there were within the window, this one too."""
        self._at = [at for at in self._at if now - at < RESTARTS_WITHIN_S] + [now]
        return len(self._at)


class ServeProblem(TemushipError):
    """serve cannot start or go on: the message says why and what to do."""


class StopNow(BaseException):
    """The first signal while serve is still starting: stop what started, then exit 0."""


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8642
    public_url: str | None = None


@dataclass
class Parts:
    """What serve started, so that it stops exactly that."""

    server: PrefectServer | None = None
    runner: Any = None
    receiver: Any = None
    hints: Any = None
    labels: Any = None
    ready: threading.Event = field(default_factory=threading.Event)


class Serve:
    def __init__(
        self,
        options: ServeOptions,
        services: Services,
        check_labels: Callable[[Account], Any] | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.options, self.services, self.say = options, services, say
        self.check_labels = check_labels or self._confirm_new_labels
        self.parts = Parts()
        self._stop = threading.Event()
        self._signals = 0
        self._starting = True

    # --- start ---------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until a signal; the exit code (0 after a clean stop)."""
        self._install_signals()
        code = 0
        try:
            self._start()
            self._starting = False
            self.say(self.ready_line())
            for line in self.first_steps():
                self.say(line)
            code = self._watch()
        except StopNow:
            code = 0
        finally:
            self._shutdown()
        return code

    def _start(self) -> None:
        from flows.serve.deployments import runner_deployments
        from flows.serve.label_check import base_interval, budget_share

        if not port_free(self.options.host, self.options.port):
            raise ServeProblem(
                f"port {self.options.port} on {self.options.host} is busy: is another temuship "
                "serve running? Stop it, or give this one another --port"
            )
        budget_share(), base_interval()  # a setting that cannot be used is refused first
        external = os.environ.get("PREFECT_API_URL") or self._profile_api_url()
        if not external:
            from flows.serve.prefect_server import log_path, server_port

            self.parts.server = PrefectServer(server_port(), log_path())
            self.parts.server.check_port()
        deployments = runner_deployments()
        self._connect_prefect(external)
        self._start_runner(deployments)
        self._start_receiver_and_check()
        self.parts.ready.set()

    def _profile_api_url(self) -> str | None:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None

    def _connect_prefect(self, external: str | None) -> None:
        from prefect.context import refresh_global_settings_context

        if external:
            if not healthy(external.rstrip("/"), timeout=10.0):
                raise ServeProblem(
                    f"Prefect's API at {external} (PREFECT_API_URL) did not answer: start that "
                    "server, or unset PREFECT_API_URL to let temuship serve start its own"
                )
            self.api_url = external.rstrip("/")
            return
        server = self.parts.server
        assert server is not None
        self.say(f"temuship serve: starting the Prefect server on port {server.port} "
                 f"(its output: {server.log})")  # fmt: skip
        server.start()
        self.api_url = server.api_url
        os.environ["PREFECT_API_URL"] = server.api_url
        os.environ.setdefault("PREFECT_UI_URL", f"{server.ui_url}v2")
        refresh_global_settings_context()

    def _start_runner(self, deployments: list[Any]) -> None:
        from flows.serve.runner import RunnerThread

        self.deployments = [f"{d.flow_name}/{d.name}" for d in deployments]
        self.parts.runner = RunnerThread(deployments).start()

    def _start_receiver_and_check(self) -> None:
        from adapters.webhooks.hints import Hints
        from adapters.webhooks.receiver import Receiver, create_receiver_app
        from adapters.webhooks.signatures import JwksKeys, SignatureCheck
        from flows.serve.label_check import (
            LabelCheckLoop,
            LabelSchedule,
            base_interval,
            budget_share,
        )
        from flows.serve.runner import HttpThread
        from flows.serve.wiring import endpoints, label_check, record_interval, subscriptions_for

        subscriptions = subscriptions_for(self.services, self.options.public_url)
        webhooks = subscriptions.public_url is not None
        schedule = LabelSchedule(budget_share(), webhooks, base_interval())
        check = label_check(self.services, subscriptions, self.check_labels)
        done = lambda account, interval: record_interval(  # noqa: E731
            self.services, account, interval, self.services.clock.now()
        )
        self.parts.labels = LabelCheckLoop(
            schedule, lambda: accounts(self.services), check, on_done=done
        ).start()
        self.parts.hints = Hints(lambda account, _: self.parts.labels.hint(account)).start()
        receiver = Receiver(
            endpoints(self.services), SignatureCheck(JwksKeys()), self.parts.hints.put
        )
        app = create_receiver_app(receiver, self.parts.ready.is_set)
        self.parts.receiver = HttpThread(app, self.options.host, self.options.port).start()

    def _confirm_new_labels(self, account: Account) -> Any:
        from flows.serve.labels import confirm_new_labels

        return confirm_new_labels(self.services, list(account.shop_ids))

    def ready_line(self) -> str:
        """The one line that says serve is up: the UI, the shops, how labels arrive."""
        shops = [s for a in accounts(self.services) for s in a.shop_ids]
        ui = self.api_url.removesuffix("/api") + "/"
        started = " (started by serve)" if self.parts.server is not None else ""
        names = ", ".join(sorted(shops))
        served = f"{plural(len(shops), 'shop')}: {names}" if shops else "no shop yet"
        if self.options.public_url:
            labels = (f"webhooks at {self.options.public_url.rstrip('/')}/webhooks/shipstation/"
                      "<shop>/<token>, and the one-minute check")  # fmt: skip
        else:
            labels = "the one-minute check (no --public-url: no webhooks)"
        return (
            f"temuship serve: ready; Prefect UI at {ui}{started}; {len(self.deployments)} "
            f"deployments served for {served}; labels by {labels}; health at "
            f"http://{self.options.host}:{self.options.port}/healthz"
        )

    def first_steps(self) -> list[str]:
        """What a person does next: start the first sync now rather than on the schedule, and
        where each shop's dashboard is (commands to paste, as this shell can run them)."""
        from flows.cli.output import command
        from flows.ui_links import dashboard_path

        ui = self.api_url.removesuffix("/api")
        run = f"{command('prefect')} deployment run sync-all-shops/every-10-minutes"
        if self.parts.server is not None:  # the person's shell does not know this server
            run = f"PREFECT_API_URL={self.api_url} {run}"
        shops = sorted(s for a in accounts(self.services) for s in a.shop_ids)
        return [
            "temuship serve: the first sync of every shop starts within 10 minutes; to start it "
            f"now, run in another terminal: {run}",
            *(f"temuship serve: shop {shop} at a glance: {ui}/v2/{dashboard_path(shop)}"
              for shop in shops),
        ]  # fmt: skip

    # --- running -------------------------------------------------------------------------

    def _watch(self) -> int:
        restarts, silent_since, last = Restarts(), None, time.monotonic()
        while not self._stop.wait(1.0):
            if time.monotonic() - last < HEALTH_EVERY_S:
                continue
            last = time.monotonic()
            if not self.parts.runner.alive():
                raise ServeProblem(f"Prefect's runner stopped: {self.parts.runner.error}")
            if healthy(self.api_url, timeout=5.0):
                silent_since = None
                continue
            if self._stop.is_set():  # a signal came during the check: stop, do not restart
                break
            server = self.parts.server
            if server is None:
                silent_since = silent_since or time.monotonic()
                self._external_silent(time.monotonic() - silent_since)
                continue
            self._restart(server, restarts.count(time.monotonic()))
        return 0

    def _external_silent(self, for_s: float) -> None:
        if for_s == 0.0 or for_s >= EXTERNAL_GRACE_S:
            log.warning("Prefect's API at %s does not answer (for %.0f s)", self.api_url, for_s)
        if for_s >= EXTERNAL_GRACE_S:
            raise ServeProblem(
                f"Prefect's API at {self.api_url} (PREFECT_API_URL) has not answered for "
                f"{for_s:.0f} s: nothing can be scheduled or run. Start it again, then "
                "temuship serve"
            )

    def _restart(self, server: PrefectServer, attempt: int) -> None:
        state = "died" if not server.alive() else "stopped answering"
        if attempt > RESTARTS:
            raise ServeProblem(
                f"the Prefect server serve started {state} again, after {RESTARTS} restarts "
                f"within {RESTARTS_WITHIN_S / 60:.0f} minutes "
                f"(its output: {server.log}): serve stops. See that log; run `prefect server "
                "start` yourself and set PREFECT_API_URL if it keeps dying"
            )
        log.warning("the Prefect server %s: starting it again (%d of %d)", state, attempt, RESTARTS)
        server.stop()
        try:
            server.start()
        except PrefectServerProblem as problem:
            raise ServeProblem(
                f"the Prefect server {state} and did not start again: {problem}"
            ) from None
        log.warning("the Prefect server answers again at %s", server.api_url)

    # --- stop ----------------------------------------------------------------------------

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self._signals += 1
        if self._signals > 1:
            self._stop_at_once()
        self.say(f"temuship serve: {signal.Signals(signum).name}: stopping (again to stop at once)")
        self._stop.set()
        if self._starting:
            self._starting = False
            raise StopNow

    def _stop_at_once(self) -> None:
        if self.parts.server is not None and self.parts.server.process is not None:
            os.killpg(self.parts.server.process.pid, signal.SIGKILL)
        end_children(os.getpid(), grace_s=0.0)
        self.say("temuship serve: stopped at once")
        os._exit(1)

    def _shutdown(self) -> None:
        """Everything serve started, in reverse, within STOP_WITHIN_S."""
        deadline = time.monotonic() + STOP_WITHIN_S
        left = lambda reserve: max(0.5, deadline - time.monotonic() - reserve)  # noqa: E731
        self.parts.ready.clear()  # /healthz says 503 while stopping
        parts = (("receiver", 20.0, "the webhook receiver"), ("hints", 20.0, "the webhook hints"),
                 ("labels", 18.0, "the label check"))  # fmt: skip
        for part, reserve, name in parts:
            if (running := getattr(self.parts, part)) is not None:
                within = min(8.0, left(reserve))
                if not running.stop(within):
                    self.say(f"temuship serve: {name} did not stop within {within:.0f} s; "
                             "it ends with serve")  # fmt: skip
        if self.parts.runner is not None:
            within = left(10.0)
            if not self.parts.runner.stop(within):
                self.say(f"temuship serve: Prefect's runner did not stop within {within:.0f} s; "
                         "its runs are ended with serve's other processes")  # fmt: skip
        end_children(os.getpid(), grace_s=min(3.0, left(8.0)), keep=self._server_pid())
        if self.parts.server is not None:
            self.parts.server.stop(left(1.0))
        end_children(os.getpid(), grace_s=1.0)
        self.say("temuship serve: stopped")

    def _server_pid(self) -> int | None:
        server = self.parts.server
        return server.process.pid if server is not None and server.process else None
