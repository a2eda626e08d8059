"""Fault injection (docs/kicc-api.md §16.8): what goes wrong between the shop and KICC.

A fault is chosen for one order (shop_order_no) or for the next `count` calls, optionally
of one endpoint, and is used up as calls match it. Whether the emulator commits the call
before misbehaving matters most: a client must treat "no clean answer" as outcome unknown.

| kind              | commits | what the client sees                                              |
|-------------------|---------|-------------------------------------------------------------------|
| delay             | yes     | the right answer, `seconds` late (past the client's timeout)      |
| drop_after_commit | yes     | the connection closed with no HTTP answer at all                  |
| http_500/502/504  | no      | that status with a short text body                                |
| html_error        | no      | HTTP 200 with an HTML error page instead of JSON                  |
| malformed_json    | yes     | HTTP 200, truncated JSON                                          |
| amount_mismatch   | yes     | (approve only) `amount` ≠ registered, signed with that amount     |
| bad_signature     | yes     | (approve only) a corrupted `msgAuthValue`                         |
| refund_timeout    | see →   | (63 only) VTIM / VT00 (`code`); the bank paid it (`commit`, the   |
|                   |         | default) or not; `unknown_queries` refund queries answer VT00 too |
| refund_bank_failure | no    | (60/62/63) the bank refuses the account: a deferred refund ends   |
|                   |         | RF03 + 노티 51; a real-time one is answered 5413 at once          |

`commit=True/False` in params overrides the default for http_5xx, html_error and malformed_json
(a 5xx after the PG did act is a real and nasty case). The refund faults change what KICC
does, not how the answer travels: they are applied by the engine (refunds.py), and only a
refund request they fit uses them up (not a cancel, not a refundQueryFlag "Y" query).
"""

import json
from dataclasses import dataclass, field

from easypay import methods

from .store import Store

KINDS = {
    "delay": True,
    "drop_after_commit": True,
    "http_500": False,
    "http_502": False,
    "http_504": False,
    "html_error": False,
    "malformed_json": True,
    "amount_mismatch": True,
    "bad_signature": True,
    "refund_timeout": True,  # the request is always processed; params["commit"]: paid out
    "refund_bank_failure": True,
}
OVERRIDABLE = {"http_500", "http_502", "http_504", "html_error", "malformed_json"}
APPROVE_ONLY = {"amount_mismatch", "bad_signature"}
# Refund faults and the reviseTypeCodes they apply to (§6.3: 63 real time, 60/62 deferred).
REFUND_FAULTS = {
    "refund_timeout": {methods.REAL_TIME_REFUND},
    "refund_bank_failure": set(methods.REFUND_CODES),
}
ENDPOINTS = {"register", "approve", "revise", "retrieve"}


@dataclass(frozen=True)
class Fault:
    kind: str
    params: dict = field(default_factory=dict)

    @property
    def commits(self) -> bool:
        if self.kind in OVERRIDABLE:
            return bool(self.params.get("commit", KINDS[self.kind]))
        return KINDS[self.kind]


def inject(store: Store, kind, *, count=1, shop_order_no=None, endpoint=None, **params) -> None:
    if kind not in KINDS:
        raise ValueError(f"fault kind must be one of {sorted(KINDS)}")
    if endpoint is not None and endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {sorted(ENDPOINTS)} or None")
    if kind in APPROVE_ONLY and endpoint not in (None, "approve"):
        raise ValueError(f"{kind} only applies to approve")
    if kind in REFUND_FAULTS and endpoint not in (None, "revise"):
        raise ValueError(f"{kind} only applies to revise (refunds)")
    if kind == "refund_timeout":
        in_doubt = methods.REFUND_IN_DOUBT_CODES  # §9
        if params.get("code", in_doubt[0]) not in in_doubt:
            raise ValueError(f"refund_timeout code must be one of {in_doubt}")
        queries = params.get("unknown_queries", 0)
        if isinstance(queries, bool) or not isinstance(queries, int) or queries < 0:
            raise ValueError("unknown_queries must be a whole number ≥ 0")
    if int(count) < 1:
        raise ValueError("count must be at least 1")
    with store.write() as db:
        db.execute(
            "INSERT INTO faults (kind, params, remaining, shop_order_no, endpoint) "
            "VALUES (?, ?, ?, ?, ?)",
            (kind, json.dumps(params), int(count), shop_order_no, endpoint),
        )


def take(
    store: Store, endpoint: str, shop_order_no: str | None, body: dict | None = None
) -> Fault | None:
    """Use up the oldest fault that matches this call, if any."""
    with store.write() as db:
        for row in db.execute("SELECT * FROM faults WHERE remaining > 0 ORDER BY id").fetchall():
            if row["endpoint"] not in (None, endpoint):
                continue
            if row["shop_order_no"] is not None and row["shop_order_no"] != shop_order_no:
                continue
            if row["kind"] in APPROVE_ONLY and endpoint != "approve":
                continue
            if row["kind"] in REFUND_FAULTS and not _a_refund_it_fits(row["kind"], endpoint, body):
                continue
            db.execute("UPDATE faults SET remaining = remaining - 1 WHERE id=?", (row["id"],))
            return Fault(row["kind"], json.loads(row["params"]))
    return None


def _a_refund_it_fits(kind: str, endpoint: str, body: dict | None) -> bool:
    body = body or {}
    return (
        endpoint == "revise"
        and body.get("reviseTypeCode") in REFUND_FAULTS[kind]
        and body.get("refundQueryFlag") != "Y"
    )
