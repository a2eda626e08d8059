"""What happens to each payment of a chaos run, drawn from the run's seed.

A Plan is data: the window button, the faults KICC's side injects on each of its calls, what
the outside world does afterwards (a person in the admin, a person in KICC's console, the
buyer's bank, KICC resending 노티). The same seed draws the same plans; the run's timing, the
threads and the killed workers make each run's interleaving its own, which is the point.
"""

import random
from dataclasses import dataclass, field

# Faults the emulator can inject (easypay/emulator/faults.py), with whether the call still
# commits at KICC. `delay` answers after the shop's timeout (the run's EASYPAY_TIMEOUTS).
Faults = tuple[tuple[str, dict[str, str | bool]], ...]  # (kind, params) to draw from
CALL_FAULTS: Faults = (
    ("delay", {}),
    ("drop_after_commit", {}),
    ("http_500", {}),
    ("http_500", {"commit": True}),
    ("http_502", {}),
    ("http_504", {"commit": True}),
    ("html_error", {}),
    ("html_error", {"commit": True}),
    ("malformed_json", {}),
    ("malformed_json", {"commit": False}),
)
APPROVE_ONLY_FAULTS: Faults = (("amount_mismatch", {}), ("bad_signature", {}))
BUTTONS = (
    ("approve", 40),  # card
    ("approve_transfer", 8),
    ("approve_va", 16),
    ("approve_mobile", 10),
    ("approve_easypay", 8),
    ("decline", 6),
    ("user_cancel", 6),
    ("window_error", 3),
    ("abandon", 3),  # the window is closed: nothing comes back, the checkout expires
)
APPROVALS = ("approve", "approve_transfer", "approve_va", "approve_mobile", "approve_easypay")
# Refunds go to a bank account: a virtual account once deposited, a mobile payment (§6.3).
REFUND_FAULTS: Faults = (
    ("refund_timeout", {"code": "VTIM"}),
    ("refund_timeout", {"code": "VT00", "commit": False}),
    ("refund_bank_failure", {}),
)
NOTI_TYPES = ("10", "20", "30")


@dataclass(frozen=True)
class Fault:
    kind: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.kind}({extra})" if extra else self.kind


@dataclass(frozen=True)
class Cancel:
    """An admin cancel over the admin's confirmation page."""

    share: float  # of what is left: 1.0 cancels it all
    fault: Fault | None = None  # on its revise call
    concurrent: bool = False  # a second admin submits the same form at the same moment


@dataclass(frozen=True)
class Refund:
    """An admin refund over the refund page: real time (63) or next day (60/62)."""

    share: float
    real_time: bool = True
    fault: Fault | None = None


@dataclass(frozen=True)
class Plan:
    index: int
    button: str
    db_refuses_paid: bool = False  # the database fails right after KICC approved (card)
    register_fault: Fault | None = None
    approve_fault: Fault | None = None
    retrieve_faults: tuple[Fault, ...] = ()
    return_twice: bool = False  # the window's form POSTed twice at once
    kill_during_return: bool = False  # every gunicorn worker killed while the return runs
    cancels: tuple[Cancel, ...] = ()
    refunds: tuple[Refund, ...] = ()
    console_cancel: float | None = None  # share of what is left, cancelled in KICC's console
    deposit: bool = False  # virtual account: the buyer pays in
    deposit_reversed: bool = False  # and the bank takes it back (노티 31)
    resend: tuple[str, ...] = ()  # KICC sends these 노티 again
    resend_at_once: int = 0  # …this many copies at the same moment

    def describe(self) -> str:
        parts = [f"#{self.index} {self.button}"]
        for name in (
            "db_refuses_paid",
            "return_twice",
            "kill_during_return",
            "deposit",
            "deposit_reversed",
        ):
            if getattr(self, name):
                parts.append(name)
        for name in ("register_fault", "approve_fault"):
            if getattr(self, name):
                parts.append(f"{name}={getattr(self, name)}")
        if self.retrieve_faults:
            parts.append("retrieve_faults=" + "+".join(map(str, self.retrieve_faults)))
        for cancel in self.cancels:
            detail = f"{cancel.share:.0%}" + (f" {cancel.fault}" if cancel.fault else "")
            parts.append(f"cancel({detail}{', twice at once' if cancel.concurrent else ''})")
        for refund in self.refunds:
            how = "real time" if refund.real_time else "next day"
            detail = f"{refund.share:.0%} {how}" + (f" {refund.fault}" if refund.fault else "")
            parts.append(f"refund({detail})")
        if self.console_cancel is not None:
            parts.append(f"console_cancel({self.console_cancel:.0%})")
        if self.resend:
            parts.append(f"resend={','.join(self.resend)}×{max(1, self.resend_at_once)}")
        return " ".join(parts)


def draw(seed: int, count: int) -> list[Plan]:
    rng = random.Random(seed)  # noqa: S311 — the same seed draws the same plans
    return [_draw_one(rng, index) for index in range(count)]


def _pick(rng: random.Random, choices):
    kind, params = rng.choice(choices)
    return kind, dict(params)


def _fault(rng: random.Random, *, approve: bool = False) -> Fault:
    kind, params = rng.choice(CALL_FAULTS + (APPROVE_ONLY_FAULTS if approve else ()))
    return Fault(kind, dict(params))


def _draw_one(rng: random.Random, index: int) -> Plan:
    button = rng.choices([b for b, _ in BUTTONS], weights=[w for _, w in BUTTONS])[0]
    approved = button in APPROVALS
    card, account, mobile = button == "approve", button == "approve_va", button == "approve_mobile"
    deposit = account and rng.random() < 0.75
    cancels: tuple[Cancel, ...] = ()
    if approved and not (account and deposit) and rng.random() < 0.3:
        count = rng.choice((1, 1, 2, 3))
        cancels = tuple(
            Cancel(
                share=1.0 if (account or rng.random() < 0.35) else rng.choice((0.1, 0.25, 0.5)),
                fault=_fault(rng) if rng.random() < 0.3 else None,
                concurrent=rng.random() < 0.25,
            )
            for _ in range(1 if account else count)
        )
    refunds: tuple[Refund, ...] = ()
    if ((account and deposit) or mobile) and rng.random() < 0.5:
        refunds = tuple(
            Refund(
                share=1.0 if rng.random() < 0.5 else rng.choice((0.2, 0.5)),
                real_time=rng.random() < 0.6,
                fault=Fault(*_pick(rng, REFUND_FAULTS)) if rng.random() < 0.35 else None,
            )
            for _ in range(rng.choice((1, 1, 2)))
        )
    return Plan(
        index=index,
        button=button,
        db_refuses_paid=card and rng.random() < 0.04,
        register_fault=_fault(rng) if rng.random() < 0.05 else None,
        approve_fault=_fault(rng, approve=True) if approved and rng.random() < 0.35 else None,
        retrieve_faults=tuple(_fault(rng) for _ in range(rng.choice((0, 0, 0, 1, 2)))),
        return_twice=rng.random() < 0.05,
        kill_during_return=approved and rng.random() < 0.03,
        cancels=cancels,
        refunds=refunds,
        console_cancel=rng.choice((0.2, 0.5, 1.0)) if card and rng.random() < 0.12 else None,
        deposit=deposit,
        deposit_reversed=deposit and rng.random() < 0.05,
        resend=tuple(sorted(set(rng.sample(NOTI_TYPES, rng.choice((1, 2))))))
        if rng.random() < 0.15
        else (),
        resend_at_once=rng.choice((0, 0, 4, 8)),
    )
