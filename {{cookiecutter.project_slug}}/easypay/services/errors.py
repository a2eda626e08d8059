"""What the payment services raise. `.message` is Korean and safe to show the buyer or operator."""


class PaymentError(Exception):
    """A payment step could not be done; `.message` says so in words a buyer understands."""

    def __init__(self, message, *, code: str = ""):
        super().__init__(str(message))
        self.message = message
        self.code = code


class CancelRefused(PaymentError):
    """The cancel was refused by the shop's own checks, before anything was sent to KICC."""


class CancelDeclined(PaymentError):
    """KICC said no to the cancel (or it could not be sent): nothing was cancelled.

    `.cancellation` is the Cancellation row, now "failed"."""

    def __init__(self, message, *, cancellation, code: str = ""):
        super().__init__(message, code=code)
        self.cancellation = cancellation


class PaymentNotFound(PaymentError):
    """No payment has this token (the return view answers 404)."""


class ReturnRefused(PaymentError):
    """The window's return does not belong to the payment the token names (answered 400)."""


class ForbiddenSource(PaymentError):
    """A 노티 from an address that is not on EASYPAY_NOTI_ALLOWED_IPS (answered 403)."""
