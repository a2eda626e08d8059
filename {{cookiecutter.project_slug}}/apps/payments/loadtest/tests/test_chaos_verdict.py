"""The chaos run's verdict: what reconcile left for a person, summed by kind, and the books."""

from collections import Counter
from types import SimpleNamespace

from apps.payments.loadtest.chaos.__main__ import _reason
from apps.payments.loadtest.chaos.invariants import check

WINDOW = "KICC 조회로 취소를 확인할 수 없음 (승인일이 조회 가능 기간(어제·오늘, §7)을 지남)"
TO_DO = "KICC 관리자 화면에서 확인 후 반영 또는 무시"


def test_report_lines_of_one_kind_count_as_one_reason_whatever_their_order_and_numbers():
    lines = [
        f"20261201-FF17A0FC942EAB5F: 노티 20 (2246) 확인 필요 — {WINDOW} — {TO_DO}",
        f"20261201-0FD3FCAA690AE95A: 노티 20 (2248) 확인 필요 — {WINDOW} — {TO_DO}",
        f"20261201-1EDD1AAB4DA368FB: 노티 31 (270) 확인 필요 — 은행이 입금을 취소함 — {TO_DO}",
        "20261201-9EACA947D6B7ED9B: 취소 12 (3,000원) 결과를 KICC에 물을 수 없음",
        "20261201-B036BD5F987F92D2: 취소 7 (15,000원) 결과를 KICC에 물을 수 없음",
    ]

    assert Counter(map(_reason, lines)) == {
        f"노티 20: {WINDOW}": 2,
        "노티 31: 은행이 입금을 취소함": 1,
        "취소 N (N원) 결과를 KICC에 물을 수 없음": 2,
    }


def test_an_order_kicc_approved_without_a_payment_in_the_shop_is_a_divergence():
    approved = {"pg_cno": "24120100000000000001", "status_code": "TS03", "approvals": 1}
    registered_only = {"pg_cno": "", "status_code": "", "approvals": 0}
    nothing_reported = SimpleNamespace(unresolved=[], differences=[])

    books, *_ = check(
        [],
        {"20261201-AAAA": approved, "20261201-BBBB": registered_only, "20261201-CCCC": None},
        [],
        nothing_reported,
        [],
    )

    assert books.failures == [("20261201-AAAA", "KICC approved it (TS03), the shop has no payment")]
