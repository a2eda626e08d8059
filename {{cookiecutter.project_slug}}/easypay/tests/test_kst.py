from datetime import UTC, date, datetime

import time_machine

from easypay import kst


@time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), tick=False)
def test_at_2330_utc_kicc_dates_are_already_the_next_day():
    assert kst.date_text() == "20260401"
    assert kst.datetime_text() == "20260401083000"


@time_machine.travel(datetime(2026, 4, 1, 14, 59, tzinfo=UTC), tick=False)
def test_just_before_kst_midnight_it_is_still_the_same_day():
    assert kst.date_text() == "20260401"


@time_machine.travel(datetime(2026, 4, 1, 15, 0, tzinfo=UTC), tick=False)
def test_the_status_window_is_yesterday_and_today_in_kst():
    assert kst.today() == date(2026, 4, 2)
    assert kst.is_yesterday_or_today(date(2026, 4, 1))
    assert kst.is_yesterday_or_today(date(2026, 4, 2))
    assert not kst.is_yesterday_or_today(date(2026, 3, 31))
    assert not kst.is_yesterday_or_today(date(2026, 4, 3))


def test_dates_round_trip_through_their_text_form():
    assert kst.parse_date_text(kst.date_text(date(2026, 1, 2))) == date(2026, 1, 2)
    moment = kst.parse_datetime_text("20260102030405")
    assert kst.datetime_text(moment) == "20260102030405"
