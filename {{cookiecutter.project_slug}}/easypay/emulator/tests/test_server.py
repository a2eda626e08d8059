"""The standalone server over real TCP: what a client that keeps its connection sees."""

import statistics
import time

import requests

POSTS = 20


def test_a_keep_alive_client_is_answered_as_fast_as_a_fresh_connection(kicc):
    # Answers used to leave in two writes (headers, then body): with Nagle's algorithm on, the
    # body waited for the client's delayed ACK of the headers, about 40 ms on every request of
    # a kept-alive connection (a fresh connection's first segments are ACKed at once).
    timings = []
    with requests.Session() as session:
        for _ in range(POSTS):
            started = time.perf_counter()
            answer = session.post(
                kicc.base + "/api/ep9/trades/webpay", json=kicc.register_body(), timeout=5
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.json()["resCd"] == "0000"

    median = statistics.median(timings)
    assert median < 20, f"median {median:.1f} ms over {POSTS} POSTs on one connection: {timings}"
