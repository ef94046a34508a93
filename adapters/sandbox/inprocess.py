"""Call a sandbox ASGI app from a *sync* httpx client, in process, without a socket.

httpx's own ASGITransport is async only, and a sync `httpx.Client` cannot use it; this
bridge runs each request through it on a private event loop. It is a plain callable
`httpx.Request -> httpx.Response`, so it serves as an `httpx.MockTransport` handler or as a
respx route's `side_effect`:

    router = respx.MockRouter(base_url="http://temu.sandbox", assert_all_called=False)
    router.route().mock(side_effect=AsgiBridge(create_temu_app(state)))
    http = httpx.Client(transport=httpx.MockTransport(router.handler))
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class AsgiBridge:
    """A sync request handler that answers with an ASGI app (one event loop per request)."""

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.transport = httpx.ASGITransport(app=app, client=client)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return asyncio.run(self._answer(request))

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        forwarded = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read()
        )
        response = await self.transport.handle_async_request(forwarded)
        body = await response.aread()
        headers = [(k, v) for k, v in response.headers.multi_items() if k != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=body)


def in_process_client(app: Any, base_url: str = "http://sandbox.local") -> httpx.Client:
    """A sync httpx client whose every request is answered by `app` in this process."""
    return httpx.Client(base_url=base_url, transport=httpx.MockTransport(AsgiBridge(app)))
