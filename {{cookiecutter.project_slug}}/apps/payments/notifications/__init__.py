"""Senders for the example receivers, one channel per module.

Each sender takes plain values (text, phone number, payload), never a model, so a background
task can call it with what it read from the database. Every sender follows one contract:

- credentials empty → the message is logged (logger ``apps.payments.notifications``, INFO)
  instead of sent, and the call returns False: the "console fallback" the demo relies on;
- sent → returns True;
- any failure (network, timeout, HTTP error, an error in the API's answer) raises
  ``NotificationError``, whose text never carries a token, secret or webhook URL, so the
  task that called it can record the failure.

Each channel lives in a module of its own (with its tests in a file of their own), so a
generated project without that channel simply does not have the file.
"""
