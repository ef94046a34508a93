"""The chaos rounds' fixtures: the session's Prefect test server, which the killed and rerun
`temuship` processes all talk to (PREFECT_API_URL)."""

from __future__ import annotations

import pytest
from prefect.settings import PREFECT_API_URL


@pytest.fixture
def prefect_api_url(prefect_harness: None) -> str:
    return str(PREFECT_API_URL.value())
