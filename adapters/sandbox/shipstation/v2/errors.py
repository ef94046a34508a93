"""The standard V2 error body (shipstation-v2.md §9) and the exception the V2 services raise."""

from __future__ import annotations

import uuid
from typing import Any

Row = dict[str, Any]


def error_entry(code: str, message: str, kind: str = "validation") -> Row:
    return {"error_source": "ShipStation", "error_type": kind, "error_code": code,
            "message": message}  # fmt: skip


def error_body(errors: list[Row]) -> Row:
    return {"request_id": str(uuid.uuid4()), "errors": errors}


class V2Error(Exception):
    """A refusal the V2 API answers with its standard body: status, error_code, error_type."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        kind: str = "validation",
        more: list[Row] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.kind = status, code, message, kind
        self.more = more or []

    def body(self) -> Row:
        return error_body([error_entry(self.code, self.message, self.kind), *self.more])


def not_found(what: str, ident: str) -> V2Error:
    return V2Error(404, "invalid_identifier", f"{what} '{ident}' was not found.")


def bad_field(field: str, message: str, code: str = "invalid_field_value") -> V2Error:
    return V2Error(400, code, f"{field}: {message}")


def wrong_status(message: str) -> V2Error:
    return V2Error(400, "invalid_status", message, kind="business_rules")
