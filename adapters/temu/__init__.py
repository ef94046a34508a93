"""Temu Open API adapter: signed router calls, pacing, retries, wire models and mapping."""

from adapters.temu.client import TemuClient
from adapters.temu.pacing import RateLimiter, limiter_for
from adapters.temu.signing import sign
from adapters.temu.transport import RetryPolicy, SystemClock, router_url

__all__ = [
    "RateLimiter",
    "RetryPolicy",
    "SystemClock",
    "TemuClient",
    "limiter_for",
    "router_url",
    "sign",
]
