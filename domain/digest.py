from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def payload_digest(payload: Mapping[str, Any]) -> str:
    """A stable digest of a JSON payload: same content, same digest, whatever the key order."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
