"""The example receivers of seed-signals.md, pasted unchanged: the spec this project is built
from must run in it. Not test modules themselves: the seed_receivers fixture (conftest.py)
loads one per test, so its receivers are connected only while that test runs.

The seed imports helpers from ``myapp.*``; the myapp fixture maps those import paths onto
this project (myapp_tasks.py, the notification senders) — the only thing adapted. Above each
pasted block, a module defines the constants the seed assumes exist (ADMIN_CHAT_ID, …).
"""
