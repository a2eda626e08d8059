"""The running shop of a chaos run, and everything the world does to it, over real HTTP.

World.play(plan) walks one payment the way a buyer's browser does (buyer.Buyer), with the
plan's faults injected at KICC's side first (RemoteEmulator), and then lets the outside world
act on it: an admin cancelling through the confirmation page (sometimes two at once), a person
cancelling in KICC's console, the buyer's bank paying in and taking it back, KICC resending
노티. Every HTTP answer the shop gives is kept, so the run can check that none was a 500.
"""

import contextlib
import threading
import time
from dataclasses import dataclass, field

import requests

from easypay.emulator.remote import RemoteEmulator, RemoteEmulatorError

from ..buyer import Buyer, Purchase, Stop
from .plan import Cancel, Plan

CANCEL_URL = "/{admin}payments/payment/{pk}/cancel/"
REFUND_URL = "/{admin}payments/payment/{pk}/refund/"


@dataclass
class Story:
    """What happened to one payment, in the order it happened: the history a failing run prints."""

    plan: Plan
    order: str = ""
    events: list[str] = field(default_factory=list)
    statuses: list[tuple[str, int | None]] = field(default_factory=list)  # (request, HTTP status)

    def note(self, text: str) -> None:
        self.events.append(f"{time.strftime('%H:%M:%S')} {text}")

    def answered(self, name: str, status: int | None) -> None:
        self.statuses.append((name, status))


class World:
    """`shop_url`: the shop under gunicorn; `remote`: its emulator; `worker_pids` and
    `kill_worker`: the shop server's (stack.ShopServer); `admin`: (username, password) of a
    superuser."""

    def __init__(
        self,
        *,
        shop_url,
        remote: RemoteEmulator,
        worker_pids,
        kill_worker,
        admin,
        products,
        admin_path,
    ):
        self.shop_url = shop_url
        self.remote = remote
        self.worker_pids = worker_pids
        self.kill_worker = kill_worker
        self.admin = admin
        self.products = products  # {"normal": pk, "db_refuses_paid": pk}
        self.admin_path = admin_path
        self._local = threading.local()

    # --- people ---------------------------------------------------------------------------
    def buyer(self) -> Buyer:
        """This thread's buyer, logged in once and reused. The account is made in the database:
        the signup form is throttled per address, and every buyer here comes from 127.0.0.1."""
        if getattr(self._local, "buyer", None) is None:
            from django.contrib.auth import get_user_model

            buyer = Buyer(self.shop_url, behind_https_proxy=True)
            get_user_model().objects.create_user(
                buyer.username, password=buyer.password, phone="01012345678"
            )
            _again_if_cut_off(buyer.log_in)
            self._local.buyer = buyer
        return self._local.buyer

    def operators(self, count: int) -> list[Buyer]:
        """`count` staff sessions of this thread, each logged in to the admin once (a login
        hashes the password: slow on purpose, and not what this run measures)."""
        people = getattr(self._local, "operators", [])
        while len(people) < count:
            username, password = self.admin
            person = Buyer(
                self.shop_url, username=username, password=password, behind_https_proxy=True
            )
            _again_if_cut_off(person.log_in)
            people.append(person)
        self._local.operators = people
        return people[:count]

    # --- one payment and its aftermath ---------------------------------------------------------
    def play(self, plan: Plan, payment_of) -> Story:
        """`payment_of(order)`: the shop's Payment row for an order number, or None."""
        story = Story(plan)
        buyer = self.buyer()
        purchase = Purchase(button=plan.button if plan.button != "abandon" else "approve")
        try:
            self._pay(plan, story, buyer, purchase)
        except Stop as stop:
            story.note(f"the buyer stopped: {stop}")
        finally:
            for step in purchase.steps:
                story.answered(step.name, step.status)
        if story.order:
            try:
                self._aftermath(plan, story, payment_of)
            except Stop as stop:  # a killed worker, or an answer the flow did not expect
                story.note(f"the aftermath stopped: {stop}")
        return story

    def _pay(self, plan, story, buyer, purchase) -> None:
        if plan.register_fault:
            # Register carries no order number the run could know in advance: the fault
            # takes the next register call, maybe another buyer's — chaos either way.
            self._inject(story, plan.register_fault, endpoint="register")
        product = self.products["db_refuses_paid" if plan.db_refuses_paid else "normal"]
        auth_page_url = buyer.checkout(purchase, product)
        window = buyer.open_window(purchase, auth_page_url)
        story.note(f"window opened: {auth_page_url}")
        if plan.button == "abandon":
            story.order = self._order_of_window(purchase)
            story.note("the buyer closed the window")
            return
        returned = buyer.press(purchase, window)
        if not returned.forms:
            raise Stop("the window answered without a return form")
        story.order = returned.forms[0]["fields"].get("shopOrderNo", "")
        story.note(f"order {story.order}: pressed {plan.button}")
        self._inject_call_faults(plan, story)
        if plan.kill_during_return:
            self._return_while_workers_die(story, buyer, purchase, returned)
        elif plan.return_twice:
            self._return_twice(story, buyer, purchase, returned)
        else:
            result_url = buyer.submit_return(purchase, returned)
            story.note(f"returned: {buyer.view_result(purchase, result_url)}")

    def _order_of_window(self, purchase) -> str:
        from apps.payments.models import Payment

        found = Payment.objects.filter(auth_page_url=purchase.auth_page_url).first()
        return found.shop_order_no if found else ""

    def _inject_call_faults(self, plan, story) -> None:
        if plan.kill_during_return:
            # KICC approves, then answers a second late: the workers die in between.
            self._inject(story, _slow_answer(), endpoint="approve", shop_order_no=story.order)
        elif plan.approve_fault:
            self._inject(story, plan.approve_fault, endpoint="approve", shop_order_no=story.order)
        for fault in plan.retrieve_faults:
            self._inject(story, fault, endpoint="retrieve", shop_order_no=story.order)

    def _inject(self, story, fault, **where) -> None:
        params = dict(fault.params)
        if fault.kind == "delay":
            params.setdefault("seconds", self.delay_seconds)
        self.remote.inject_fault(fault.kind, **where, **params)
        story.note(f"fault {fault} on {where.get('endpoint')}")

    delay_seconds = 2.5  # beyond the run's EASYPAY_TIMEOUTS: an answer that comes too late

    def _return_twice(self, story, buyer, purchase, returned) -> None:
        second = Buyer(self.shop_url, behind_https_proxy=True)
        copy = Purchase(button=purchase.button)
        results = {}

        def post(who, into, key):
            try:
                results[key] = who.submit_return(into, returned)
            except Stop as stop:
                results[key] = stop

        threads = [
            threading.Thread(target=post, args=(buyer, purchase, "first")),
            threading.Thread(target=post, args=(second, copy, "second")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for step in copy.steps:
            story.answered(step.name, step.status)
        story.note(f"the return posted twice at once: {results}")

    def _return_while_workers_die(self, story, buyer, purchase, returned) -> None:
        done = {}

        def post():
            try:
                done["url"] = buyer.submit_return(purchase, returned)
            except Stop as stop:
                done["stop"] = stop

        thread = threading.Thread(target=post)
        thread.start()
        time.sleep(0.4)  # the approve call is on its way; its answer comes after 1 s (< 1.5)
        killed = []
        for pid in self.worker_pids():
            with contextlib.suppress(ProcessLookupError):
                killed.append(self.kill_worker(pid))
        thread.join()
        story.note(f"killed gunicorn workers {killed} during the return: {done}")

    # --- what the world does afterwards -------------------------------------------------------
    def _aftermath(self, plan: Plan, story: Story, payment_of) -> None:
        if plan.deposit:
            self._kicc(story, "deposit", self.remote.deposit, story.order)
            _until(lambda: getattr(payment_of(story.order), "status", "") != "awaiting_deposit")
            if plan.deposit_reversed:
                time.sleep(0.2)
                self._kicc(
                    story, "the bank reverses the deposit", self.remote.cancel_deposit, story.order
                )
        for cancel in plan.cancels:
            self._admin_cancel(story, cancel, payment_of(story.order))
        for refund in plan.refunds:
            self._admin_refund(story, refund, payment_of(story.order))
        if plan.console_cancel is not None:
            ledger = self.remote.ledger(story.order) or {}
            left = ledger.get("remaining_amount", 0)
            amount = None if plan.console_cancel >= 1 else max(1, int(left * plan.console_cancel))
            self._kicc(
                story,
                f"console cancel {amount or 'all'}",
                self.remote.console_cancel,
                story.order,
                amount,
            )
        for noti_type in plan.resend:
            copies = max(1, plan.resend_at_once)
            threads = [
                threading.Thread(target=self._resend, args=(story, noti_type))
                for _ in range(copies)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            story.note(f"KICC resent 노티 {noti_type} ×{copies}")

    def _kicc(self, story, what, action, *args) -> None:
        try:
            action(*args)
            story.note(what)
        except RemoteEmulatorError as refused:
            story.note(f"{what}: KICC refused ({refused.answer.get('error')})")

    def _resend(self, story, noti_type) -> None:
        with contextlib.suppress(RemoteEmulatorError):  # no such 노티 was ever sent
            self.remote.resend_noti(story.order, noti_type)

    def _share_of_what_is_left(self, story, payment, what, statuses, refused) -> int | None:
        """The amount an admin cancel or refund (`what`: its share and fault) takes from what is
        left now, its fault armed on the revise call; None (noted) when the payment has no
        balance in one of `statuses`."""
        payment.refresh_from_db()
        left = payment.remaining_amount
        if payment.status not in statuses or left <= 0:
            story.note(f"{refused}: the payment is {payment.status}")
            return None
        if what.fault:
            self._inject(story, what.fault, endpoint="revise", shop_order_no=story.order)
        return left if what.share >= 1 else max(1, int(left * what.share))

    def _admin_refund(self, story: Story, refund, payment) -> None:
        if payment is None:
            return
        amount = self._share_of_what_is_left(
            story, payment, refund, ("paid", "partially_cancelled"), "no refund"
        )
        if amount is None:
            return
        url = self.shop_url + REFUND_URL.format(admin=self.admin_path, pk=payment.pk)
        (person,) = self.operators(1)
        person.shop_request(None, "admin refund page", "GET", url)
        response = person.post_form(
            None,
            "admin refund",
            url,
            {
                "amount": str(amount),
                "bank_code": "011",
                "account_no": "30212345678",
                "depositor_name": "홍길동",
                "real_time": "1" if refund.real_time else "0",
                "reason": "카오스 환불",
            },
            expect=(200, 302, 403, 404),
        )
        story.answered("admin refund", response.status_code)
        how = "real time" if refund.real_time else "next day"
        story.note(f"admin refund {amount}원 ({how}): HTTP {response.status_code}")

    def _admin_cancel(self, story: Story, cancel: Cancel, payment) -> None:
        if payment is None:
            return
        amount = self._share_of_what_is_left(
            story,
            payment,
            cancel,
            ("paid", "partially_cancelled", "awaiting_deposit"),
            "no admin cancel",
        )
        if amount is None:
            return
        url = self.shop_url + CANCEL_URL.format(admin=self.admin_path, pk=payment.pk)
        people = self.operators(2 if cancel.concurrent else 1)
        for person in people:
            person.shop_request(None, "admin cancel page", "GET", url)
        barrier = threading.Barrier(len(people))
        answers = []

        def submit(person):
            barrier.wait()
            try:
                response = person.post_form(
                    None,
                    "admin cancel",
                    url,
                    {"amount": str(amount), "reason": "카오스 환불"},
                    expect=(200, 302, 403, 404),
                )
                answers.append(response.status_code)
            except Stop as stop:
                answers.append(None)
                story.note(f"admin cancel: {stop}")

        threads = [threading.Thread(target=submit, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for status in answers:
            story.answered("admin cancel", status)
        story.note(f"admin cancel {amount}원 ({len(people)} at once): HTTP {answers}")


def _again_if_cut_off(log_in, tries: int = 5) -> None:
    """Log in, again when the worker answering was killed (the run kills them on purpose)."""
    for attempt in range(tries):
        try:
            return log_in()
        except (RuntimeError, Stop) as error:
            if "no answer" not in str(error) or attempt == tries - 1:
                raise
            time.sleep(0.5)


def _until(condition, seconds: float = 3.0) -> bool:
    """Wait a little for something the shop does on its own (a 노티 it is handling)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _slow_answer():
    from .plan import Fault

    return Fault("delay", {"seconds": 1.0})


def wait_for_notis(remote: RemoteEmulator, *, max_retries: int, timeout: float) -> int:
    """Until every 노티 the emulator queued was acked or has used up its tries; returns how
    many are still pending when `timeout` runs out (0: drained)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        pending = _pending_notis(remote, max_retries)
        # Twice quiet in a row: a 노티 queued a moment ago has no attempt to show yet.
        quiet = quiet + 1 if not pending else 0
        if quiet >= 2 or time.monotonic() > deadline:
            return len(pending)
        time.sleep(0.5)


def _pending_notis(remote, max_retries) -> set:
    tries: dict[int, int] = {}
    acked: set[int] = set()
    try:
        attempts = remote.notis()
    except requests.RequestException:
        return {"emulator"}
    for attempt in attempts:
        tries[attempt["noti_id"]] = max(tries.get(attempt["noti_id"], 0), attempt["attempt"])
        if attempt["acked"]:
            acked.add(attempt["noti_id"])
    return {noti for noti, count in tries.items() if noti not in acked and count <= max_retries}
