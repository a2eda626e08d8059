"""The benchmark's table, from runs made up here (the live run is `python -m …bench`)."""

from apps.payments.loadtest.bench import Slot, render
from apps.payments.loadtest.buyer import Purchase, Step


def purchase(*steps, status="paid"):
    timed = [Step(name, "GET", name, 200, ms) for name, ms in steps]
    return Purchase(button="approve", steps=timed, status=status)


def test_a_shop_row_shows_its_rate_against_the_floor_its_costs_and_its_failures():
    floor = Slot("floor", 4, seconds=2.0, paid=80)
    floor.purchases = [purchase(("register", 5), ("window", 2), ("press", 3), ("approve", 6))] * 80
    shop = Slot("production", 4, seconds=2.0, paid=30, shop_cpu_ms=21.5, peak_rss_mib=70.2)
    shop.purchases = [
        purchase(("checkout", 20), ("window", 2), ("press", 3), ("return", 30), ("result", 8))
    ] * 30 + [purchase(("checkout", 20), status="failed")] * 2
    shop.counters = {
        "payments:checkout": {"requests": 32, "queries": 160, "cpu_s": 0.3, "connects": 0},
        "easypay:return": {"requests": 30, "queries": 240, "cpu_s": 0.4, "connects": 0},
    }

    table = render([floor, shop], "the machine")

    main_table = table.split("\n\n")[0].splitlines()
    floor_row, shop_row = main_table[2:]
    assert floor_row.startswith("| floor | 4 | 40.0 | 1.00 | 16/16 | 5/5 | 2/2 | 3/3 | 6/6 | – |")
    assert shop_row.startswith("| production | 4 | 15.0 | 0.38 | 63/63 | 20/20 |")
    assert shop_row.endswith("| 12.5 | 0.00 | 21.5 | 70 | 2 |")  # 400 statements / 32 payments
    assert "| production | checkout | 1.00 | 5.0 | 9.4 | 0.00 |" in table
