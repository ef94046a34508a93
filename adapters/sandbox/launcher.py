"""Both simulated APIs, served on 127.0.0.1 for the demo, the tests and `temuship sandbox`."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.sandbox.server import ServerThread
from adapters.sandbox.shipstation.app import create_shipstation_app
from adapters.sandbox.shipstation.state import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_STORE_ID,
    DEMO_V2_API_KEY,
    ShipStationSandbox,
)
from adapters.sandbox.temu.app import create_temu_app
from adapters.sandbox.temu.state import (
    DEMO_ACCESS_TOKEN,
    DEMO_APP_KEY,
    DEMO_APP_SECRET,
    TemuSandbox,
)
from domain.secrets import Secret
from domain.shop import Region, ShipStationCredentials, TemuCredentials


@dataclass(frozen=True)
class ShipStationV2Access:
    """What a V2 client needs of the simulated account: the API-Key, the base URL (the one
    before /v2/, the V1 URL too) and the store its orders go to."""

    api_key: Secret
    base_url: str
    store_id: int = DEMO_STORE_ID


@dataclass
class Sandbox:
    """A running simulated Temu and ShipStation; `stop()` ends both servers."""

    temu: TemuSandbox = field(default_factory=TemuSandbox)
    shipstation: ShipStationSandbox = field(default_factory=ShipStationSandbox)
    temu_port: int | None = None
    shipstation_port: int | None = None

    def start(self) -> Sandbox:
        self._temu_server = ServerThread(create_temu_app(self.temu), self.temu_port).start()
        self._ss_server = ServerThread(
            create_shipstation_app(self.shipstation), self.shipstation_port
        ).start()
        self.shipstation.base_url = self._ss_server.url  # webhooks' resource_url
        return self

    def stop(self) -> None:
        self._temu_server.stop()
        self._ss_server.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def temu_url(self) -> str:
        return self._temu_server.url

    @property
    def shipstation_url(self) -> str:
        return self._ss_server.url

    def temu_credentials(self, access_token: str = DEMO_ACCESS_TOKEN) -> TemuCredentials:
        return TemuCredentials(
            DEMO_APP_KEY, Secret(DEMO_APP_SECRET), Secret(access_token), Region.US, self.temu_url
        )

    def shipstation_credentials(self) -> ShipStationCredentials:
        return ShipStationCredentials(
            DEMO_API_KEY, Secret(DEMO_API_SECRET), DEMO_STORE_ID, self.shipstation_url
        )

    def shipstation_v2_credentials(self, api_key: str = DEMO_V2_API_KEY) -> ShipStationV2Access:
        """The simulated account on V2: same server and store as V1, a V2 key of its own."""
        return ShipStationV2Access(Secret(api_key), self.shipstation_url, DEMO_STORE_ID)
