"""The lifecycle table against docs/payment-lifecycle.md's diagram, move by move (no database)."""

import itertools

import pytest
from django.utils import translation

from easypay.states import (
    ALLOWED_TRANSITIONS,
    IllegalTransition,
    PaymentStatus,
    allowed_next,
    can_be_cancelled,
    can_be_partially_cancelled,
    check_transition,
    is_final,
)

# Written out by hand from the diagram (not derived from the table), so a move added to or
# dropped from the table makes these tests fail.
LEGAL_MOVES = {
    ("pending", "approving"),  # return ok → claim before approve
    ("pending", "failed"),  # window error / user cancel / expired
    ("approving", "paid"),
    ("approving", "awaiting_deposit"),  # VA issued
    ("approving", "unknown"),  # timeout, dropped answer, 5xx
    ("approving", "failed"),  # declined, or mismatch voided at the PG
    ("unknown", "paid"),  # reconcile / 노티 10
    ("unknown", "awaiting_deposit"),
    ("unknown", "failed"),
    ("awaiting_deposit", "paid"),  # 노티 30
    ("awaiting_deposit", "cancelled"),  # 40 voids the unpaid account
    ("awaiting_deposit", "failed"),  # expired without deposit
    ("paid", "partially_cancelled"),
    ("paid", "cancelled"),
    ("partially_cancelled", "partially_cancelled"),  # a further partial cancel
    ("partially_cancelled", "cancelled"),
}
REPLAYS = {(s, s) for s in PaymentStatus.values} - LEGAL_MOVES
ALL_PAIRS = set(itertools.product(PaymentStatus.values, repeat=2))
ILLEGAL_MOVES = ALL_PAIRS - LEGAL_MOVES - REPLAYS


def test_the_table_allows_exactly_the_moves_of_the_diagram():
    table = {(current, new) for current, nexts in ALLOWED_TRANSITIONS.items() for new in nexts}

    assert table == LEGAL_MOVES


def test_every_status_has_a_row_in_the_table():
    assert set(ALLOWED_TRANSITIONS) == set(PaymentStatus)


@pytest.mark.parametrize(("current", "new"), sorted(LEGAL_MOVES))
def test_a_legal_move_is_applied(current, new):
    assert check_transition(current, new) is True


@pytest.mark.parametrize(("current", "new"), sorted(REPLAYS))
def test_repeating_the_current_status_is_a_replay_that_changes_nothing(current, new):
    assert check_transition(current, new) is False


def test_a_second_partial_cancel_is_a_move_not_a_replay():
    assert ("partially_cancelled", "partially_cancelled") not in REPLAYS
    assert check_transition("partially_cancelled", "partially_cancelled") is True


@pytest.mark.parametrize(("current", "new"), sorted(ILLEGAL_MOVES))
def test_any_other_move_raises(current, new):
    with pytest.raises(IllegalTransition) as error:
        check_transition(current, new)

    assert (error.value.current, error.value.new) == (current, new)
    assert f"{current} → {new}" in str(error.value)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("paid", "failed"),  # integrity rule 7: a late error fails nothing already paid
        ("partially_cancelled", "failed"),
        ("pending", "paid"),  # only our approve call can approve
        ("unknown", "approving"),  # approval is never retried blindly
        ("unknown", "cancelled"),  # a voided unknown approval ends failed
        ("failed", "paid"),  # money found for a failed payment needs a human
        ("cancelled", "paid"),
        ("awaiting_deposit", "partially_cancelled"),  # nothing received yet to refund in part
        ("paid", "pending"),
    ],
)
def test_the_moves_that_would_lose_or_invent_money_are_illegal(current, new):
    assert (current, new) in ILLEGAL_MOVES
    with pytest.raises(IllegalTransition):
        check_transition(current, new)


def test_only_cancelled_and_failed_are_final():
    assert {s for s in PaymentStatus if is_final(s)} == {"cancelled", "failed"}


def test_allowed_next_lists_the_row_of_the_table():
    assert allowed_next("approving") == {"paid", "awaiting_deposit", "unknown", "failed"}
    assert allowed_next("cancelled") == frozenset()


def test_a_full_cancel_is_possible_once_the_pg_holds_the_payment():
    assert {s for s in PaymentStatus if can_be_cancelled(s)} == {
        "awaiting_deposit",
        "paid",
        "partially_cancelled",
    }


def test_a_partial_cancel_needs_money_received():
    assert {s for s in PaymentStatus if can_be_partially_cancelled(s)} == {
        "paid",
        "partially_cancelled",
    }


def test_enum_members_and_plain_strings_are_the_same_status():
    assert check_transition(PaymentStatus.PENDING, "approving") is True
    assert check_transition("paid", PaymentStatus.PAID) is False


@pytest.mark.parametrize("call", [check_transition, lambda a, b: is_final(a)])
def test_a_string_that_is_no_status_is_a_programming_error(call):
    with pytest.raises(ValueError):
        call("refunded", "paid")


@translation.override("ko")
def test_every_status_has_a_korean_label():
    labels = {value: str(label) for value, label in PaymentStatus.choices}

    assert labels["paid"] == "결제 완료"
    assert all(any("가" <= ch <= "힣" for ch in label) for label in labels.values())
