"""The test host's 23:00 auto-void of easy-pay and carrier transactions (§11.7, §12): behind a
switch, off by default."""

import pytest
import time_machine

from easypay import kst

from .test_notis import _wait


@pytest.fixture(autouse=True)
def at_noon():
    """Today's noon, KST: a transaction approved after 23:00 is never voided, so these tests
    would fail in the last hour of a KST day (14:00-15:00 UTC) on the real clock."""
    noon = kst.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield


@pytest.fixture
def todays(kicc):
    """One transaction of each kind paid at once, approved today (emulator clock)."""
    return {
        outcome: kicc.paid(outcome)
        for outcome in ("approve", "approve_transfer", "approve_mobile", "approve_easypay")
    }


def _statuses(easypay_emulator, todays):
    return {
        outcome: easypay_emulator.ledger(approval["shopOrderNo"])["status_code"]
        for outcome, approval in todays.items()
    }


def test_without_the_switch_nothing_is_voided(kicc, easypay_emulator, todays):
    easypay_emulator.advance_days(1)
    kicc.register()  # any request

    assert set(_statuses(easypay_emulator, todays).values()) == {"TS03"}


def test_with_the_switch_easy_pay_and_mobile_are_voided_after_23_00(
    kicc, easypay_emulator, noti_receiver, todays
):
    easypay_emulator.set_auto_void(True)
    kicc.register()
    assert set(_statuses(easypay_emulator, todays).values()) == {"TS03"}  # 23:00 not passed

    easypay_emulator.advance_days(1)
    kicc.register()  # the first request after 23:00 runs the void

    assert _statuses(easypay_emulator, todays) == {
        "approve": "TS03",
        "approve_transfer": "TS03",
        "approve_mobile": "TS02",
        "approve_easypay": "TS02",
    }
    _wait(lambda: len([b for b in noti_receiver.bodies if b["body"]["notiType"] == "20"]) == 2)
    voided = {b["body"]["pgCno"] for b in noti_receiver.bodies if b["body"]["notiType"] == "20"}
    assert voided == {todays["approve_mobile"]["pgCno"], todays["approve_easypay"]["pgCno"]}


def test_the_void_takes_what_is_left_and_runs_once(kicc, easypay_emulator, todays):
    mobile = todays["approve_mobile"]
    kicc.revise(mobile["pgCno"], "33", amount=5000)
    easypay_emulator.set_auto_void(True)
    easypay_emulator.advance_days(1)

    kicc.register()
    kicc.register()

    ledger = easypay_emulator.ledger(mobile["shopOrderNo"])
    assert [(c["revise_type"], c["amount"]) for c in ledger["cancels"]] == [
        ("33", 5000),
        ("40", 10000),
    ]
    assert ledger["remaining_amount"] == 0


def test_the_switch_is_an_operator_endpoint_too(kicc):
    import requests

    on = requests.post(f"{kicc.base}/_control/test-host", json={"auto_void": True}, timeout=5)
    bad = requests.post(f"{kicc.base}/_control/test-host", json={"auto_void": "yes"}, timeout=5)
    now = requests.get(f"{kicc.base}/_control/test-host", timeout=5)

    assert on.json() == {"auto_void": True} == now.json()
    assert bad.status_code == 400
