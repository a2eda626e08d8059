"""The four payment signals: the contract every receiver in the shop relies on.

sender is the Payment model class; receivers take **kwargs (extra keywords, such as
``stage`` on payment_failed, may be added). Each fires once per transition, after commit.
"""

from django.dispatch import Signal

# payment
payment_registered = Signal()
# payment, pg_tid, auth_id
payment_approved = Signal()
# payment, error_code, error_message (and stage)
payment_failed = Signal()
# payment, cancel_type ('40' full, '41' partial), cancel_amount
payment_cancelled = Signal()
