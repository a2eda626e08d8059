"""The EasyPay (KICC) integration: client, services, models, admin and a local emulator.

A self-contained Django app that knows nothing of the shop's apps. Its comments cite KICC's
contract by section: a bare "§7" here (and in apps/) means docs/kicc-api.md §7, and
"integrity rule N" means rule N of docs/payment-lifecycle.md.
"""
