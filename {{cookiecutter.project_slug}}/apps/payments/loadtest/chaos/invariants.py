"""What must hold after a chaos run: the shop's books against KICC's (the emulator's ledger).

Each check is one line of the run's output: its name, what it counted, and every payment that
broke it. A payment the shop itself reports for a person — in reconcile's report: an unknown
outcome, a held 노티, a cancel KICC can no longer be asked about — may differ from KICC's
ledger, and is counted as "reported": the shop said it does not know, which is the rule
(docs/payment-lifecycle.md). A payment that differs and is not reported is a divergence.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class Check:
    name: str
    counted: str = ""
    failures: list[tuple[str, str]] = field(default_factory=list)  # (order, why)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, order: str, why: str) -> None:
        self.failures.append((order, why))


def reported_orders(report) -> set[str]:
    """The orders named in reconcile's report lines ("ORDER: why")."""
    return {line.split(":", 1)[0].strip() for line in (*report.unresolved, *report.differences)}


def check(payments, ledgers: dict, signals: list[dict], report, responses: list) -> list[Check]:
    """`payments`: every Payment of the run (cancellations and announcements prefetched);
    `ledgers`: the emulator's ledger per order (None: never registered there), for the shop's
    orders and for every other order KICC was asked to register; `signals`: signal_log.read();
    `responses`: (what, HTTP status or None) of every answer the shop gave.

    A signal is owed once per event (an Announcement row) and delivered at least once: a
    worker killed in the middle of its receivers leaves it to reconcile, which sends it again
    (its attempts count), so a receiver may have seen it attempts + 1 times at most."""
    reported = reported_orders(report)
    books = Check("statuses and amounts equal KICC's")
    twice = Check("no approval twice")
    beyond = Check("no cancel beyond what was paid")
    invented = Check("no refund recorded that KICC did not make")
    open_ = Check("nothing left approving; every unknown payment or cancel is reported")
    approved = Check("payment_approved once per approval KICC made and the shop kept")
    cancelled = Check("payment_cancelled once per cancel")
    no_500 = Check("no answer from the shop was a 500")

    fired: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for record in signals:
        fired[record["order"]][record["signal"]] += 1

    agree = differ_reported = approvals = cancels = unknown = 0
    for payment in payments:
        order = payment.shop_order_no
        ledger = ledgers.get(order)
        done = [c for c in payment.cancellations.all() if c.status == "done"]
        in_flight = [c for c in payment.cancellations.all() if c.status in ("requested", "unknown")]

        why = _difference(payment, ledger)
        if why is None:
            agree += 1
        elif order in reported:
            differ_reported += 1
        else:
            books.fail(order, why)

        if ledger and ledger["approvals"] > 1:
            twice.fail(order, f"KICC approved it {ledger['approvals']} times")
        approvals += bool(ledger and ledger["approvals"])

        if payment.cancelled_amount > payment.amount:
            beyond.fail(order, f"cancelled {payment.cancelled_amount} of {payment.amount}")
        if ledger and ledger["cancelled_amount"] > ledger["approved_amount"]:
            beyond.fail(order, "KICC cancelled more than it approved")

        # A refund KICC took but the bank refused (RF03) or has yet to pay is no refund made.
        kicc_numbers = {
            c["cancel_pg_cno"]
            for c in (ledger or {}).get("cancels", [])
            if c.get("state", "done") == "done"
        }
        for cancellation in done:
            cancels += 1
            if cancellation.cancel_pg_cno not in kicc_numbers:
                invented.fail(order, f"cancel {cancellation.pk} ({cancellation.cancel_pg_cno})")
        recorded = sum(c.amount for c in done)
        if ledger and recorded != ledger["cancelled_amount"] and order not in reported:
            invented.fail(
                order, f"recorded {recorded}원 cancelled, KICC {ledger['cancelled_amount']}원"
            )

        if payment.status == "approving":
            open_.fail(order, "left approving")
        if payment.status == "unknown" or in_flight:
            unknown += 1
            if order not in reported:
                what = "payment unknown" if payment.status == "unknown" else "cancel in flight"
                open_.fail(order, f"{what}, not in reconcile's report")

        owed = defaultdict(list)
        for announcement in payment.easypay_announcements.all():
            owed[announcement.signal].append(announcement)
        kept = payment.paid_at is not None  # paid once (then maybe refunded): announced once
        moves = [c for c in done if not (c.origin == "system" and payment.status == "failed")]
        for name, expected, result in (
            ("payment_approved", int(kept), approved),
            ("payment_cancelled", len(moves), cancelled),
        ):
            why = _delivery(owed[name], expected, fired[order][name])
            if why:
                result.fail(order, f"{why} ({payment.status})")

    # Money the shop would never see: an order KICC approved that has no payment in the shop.
    ours = {payment.shop_order_no for payment in payments}
    theirs_only = {order: ledger for order, ledger in ledgers.items() if order not in ours}
    for order, ledger in theirs_only.items():
        if ledger and ledger["pg_cno"]:
            books.fail(
                order, f"KICC approved it ({ledger['status_code']}), the shop has no payment"
            )

    for what, status in responses:
        if status is not None and status >= 500:
            no_500.fail(what, f"HTTP {status}")

    books.counted = (
        f"{len(payments)} payments: {agree} agree, {differ_reported} reported for a person, "
        f"{len(books.failures)} differ; {len(theirs_only)} orders at KICC the shop has no "
        "payment for"
    )
    twice.counted = f"{approvals} approvals"
    beyond.counted = f"{sum(p.cancelled_amount > 0 for p in payments)} payments with cancels"
    invented.counted = f"{cancels} cancels recorded"
    open_.counted = f"{unknown} unknown or in flight, all reported" if open_.ok else f"{unknown}"
    approved.counted = f"{sum(f['payment_approved'] for f in fired.values())} sent"
    cancelled.counted = f"{sum(f['payment_cancelled'] for f in fired.values())} sent"
    no_500.counted = f"{len(responses)} answers"
    return [books, twice, beyond, invented, open_, approved, cancelled, no_500]


def _delivery(owed: list, expected: int, heard: int) -> str:
    """Why a signal was not delivered as owed, or ""."""
    if len(owed) != expected:
        return f"owed {len(owed)}×, expected {expected}×"
    unsent = [a for a in owed if a.sent_at is None]
    if unsent:
        return f"{len(unsent)} never sent"
    if not expected <= heard <= sum(a.attempts + 1 for a in owed):
        return f"receivers heard it {heard}× for {expected} owed"
    return ""


def _difference(payment, ledger) -> str | None:
    """How the shop's books differ from KICC's for this payment, or None when they agree.

    By the money first: what KICC approved and what it gave back (a refund the bank has yet to
    pay, or refused, gave nothing back: the ledger's cancelled amount counts it only while
    reserved, and such a refund is in flight or failed at the shop too)."""
    status = payment.status
    if ledger is None or not ledger["pg_cno"]:
        return None if status == "failed" else f"KICC approved nothing, the shop says {status}"
    code = ledger["status_code"]
    approved, cancelled = ledger["approved_amount"], ledger["cancelled_amount"]
    kicc = f"KICC {code} {approved}/{cancelled}"
    shop = f"shop {status} {payment.amount}/{payment.cancelled_amount}"
    if payment.pg_cno != ledger["pg_cno"]:
        return f"{kicc} {ledger['pg_cno']}, {shop} {payment.pg_cno}"
    if status == "failed":
        # Voided: KICC must have given everything back.
        return None if cancelled == approved else f"{kicc}: money held for an order the shop failed"
    if code == "TS07":
        return None if status == "awaiting_deposit" else f"{kicc}, {shop}"
    if cancelled == approved:
        expected = "cancelled"
    elif cancelled:
        expected = "partially_cancelled"
    else:
        expected = "paid"
    agrees = (
        status == expected and payment.amount == approved and payment.cancelled_amount == cancelled
    )
    return None if agrees else f"{kicc}, {shop}"
