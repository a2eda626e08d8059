"""The example receivers of the seed, the signals guide this project's signals come from
(docs/signals-and-receivers.md, "The seed's examples"), pasted unchanged: they must run in it.
Not test modules themselves: the seed_receivers fixture (conftest.py) loads one per test, so
its receivers are connected only while that test runs.

The seed imports helpers from ``myapp.*``; the myapp fixture maps those import paths onto
this project (myapp_tasks.py, the notification senders) — the only thing adapted. Above each
pasted block, a module defines the constants the seed assumes exist (ADMIN_CHAT_ID, …).
"""
