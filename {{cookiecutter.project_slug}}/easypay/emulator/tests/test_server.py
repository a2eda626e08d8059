"""The standalone server over real TCP: what a client that keeps its connection sees."""

import statistics
import time

import requests

POSTS = 20


def timed_register(post, kicc) -> float:
    started = time.perf_counter()
    answer = post(kicc.base + "/api/ep9/trades/webpay", json=kicc.register_body(), timeout=5)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.json()["resCd"] == "0000"
    return elapsed


def test_a_keep_alive_client_is_answered_as_fast_as_a_fresh_connection(kicc):
    # Answers used to leave in two writes (headers, then body): with Nagle's algorithm on, the
    # body waited for the client's delayed ACK of the headers, about 40 ms on every request of
    # a kept-alive connection (a fresh connection's first segments are ACKed at once).
    # Interleaved with fresh connections, so a busy machine slows both alike.
    kept, fresh = [], []
    with requests.Session() as session:
        for _ in range(POSTS):
            kept.append(timed_register(session.post, kicc))
            fresh.append(timed_register(requests.post, kicc))

    kept_ms, fresh_ms = statistics.median(kept), statistics.median(fresh)
    assert kept_ms < fresh_ms + 20, (
        f"median {kept_ms:.1f} ms on one kept connection, {fresh_ms:.1f} ms on fresh ones"
    )
