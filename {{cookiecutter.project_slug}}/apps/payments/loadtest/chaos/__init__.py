"""The chaos run (`python -m apps.payments.loadtest.chaos`, `manage.py easypay_chaos`): see
__main__.py for what it does, plan.py for what can happen to a payment, world.py for how it is
made to happen over real HTTP, invariants.py for what must hold afterwards."""
