"""Which payment signals fired, in every process of a chaos run: one JSON line per signal in
<folder>/signals-<pid>.jsonl, appended (O_APPEND: lines from one process never interleave).

Installed by gunicorn_chaos.py in each gunicorn worker and by the run itself (reconcile runs in
its process): never by a shop's own code, so no setting turns it on.
"""

import json
import os
from pathlib import Path

SIGNALS = ("payment_registered", "payment_approved", "payment_failed", "payment_cancelled")


class SignalLog:
    def __init__(self, folder):
        self.path = Path(folder) / f"signals-{os.getpid()}.jsonl"
        self._receivers = {}

    def install(self) -> None:
        from easypay import signals

        for name in SIGNALS:

            def receiver(sender, payment, _name=name, **kwargs):
                self._write(_name, payment, kwargs)

            self._receivers[name] = receiver
            getattr(signals, name).connect(receiver, weak=False)

    def uninstall(self) -> None:
        from easypay import signals

        for name, receiver in self._receivers.items():
            getattr(signals, name).disconnect(receiver)
        self._receivers = {}

    def _write(self, name: str, payment, kwargs: dict) -> None:
        line = {
            "signal": name,
            "order": payment.shop_order_no,
            "cancel_type": kwargs.get("cancel_type"),
            "cancel_amount": kwargs.get("cancel_amount"),
            "pid": os.getpid(),
        }
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def read(folder) -> list[dict]:
    """Every signal any process recorded in `folder`."""
    found = []
    for path in sorted(Path(folder).glob("signals-*.jsonl")):
        found += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return found
