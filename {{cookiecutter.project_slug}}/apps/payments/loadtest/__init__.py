"""Real-HTTP load and chaos drivers for the shop: not imported by the shop itself.

    buyer.Buyer           a browser-less buyer: sign up / log in, checkout, the payment window's
                          buttons, the return POST, the result page — each step timed (Purchase)
    floor.KiccOnly        KICC's calls of a payment and nothing else: the speed limit
    stack                 a throw-away PostgreSQL database, the standalone emulator and the shop
                          under gunicorn, as processes (worker pids, /proc usage, kill a worker)
    probe, gunicorn_probe SQL statements / CPU / connections per URL inside the workers,
                          installed only by the benchmark's own gunicorn config file
    bench                 `python -m apps.payments.loadtest.bench`: the table of README.md

easypay.emulator.remote.RemoteEmulator drives the standalone emulator (faults, ledger, 노티,
deposits, clock). Loopback only: nothing here is meant to reach a shop you did not start.
"""
