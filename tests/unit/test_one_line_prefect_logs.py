"""Under `temuship serve`, Prefect's own warnings reach the terminal in one line each: a
server restarting makes Prefect's clients log lost connections with tracebacks."""

from __future__ import annotations

import logging
import sys

from flows.cli.prefect_api import _NoTraceback


def record(name: str) -> logging.LogRecord:
    try:
        raise ConnectionError("no close frame received or sent")
    except ConnectionError:
        info = sys.exc_info()
    return logging.LogRecord(name, logging.WARNING, __file__, 1, "websocket failed", None, info)


def test_a_prefect_warning_keeps_its_words_and_loses_its_traceback():
    found = record("prefect.FlowRunCancellingObserver")
    assert _NoTraceback().filter(found) and found.exc_info is None
    assert logging.Formatter().format(found) == "websocket failed"


def test_a_record_of_temuship_keeps_its_traceback():
    found = record("flows.serve")
    assert _NoTraceback().filter(found) and found.exc_info is not None
