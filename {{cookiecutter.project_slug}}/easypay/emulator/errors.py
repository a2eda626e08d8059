"""The emulator's business refusal, shared by the engine and its parts (refunds, auto-void)."""


class Refused(Exception):
    """A business failure: answered with HTTP 200 and a non-"0000" resCd (§2)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def response(self) -> dict:
        return {"resCd": self.code, "resMsg": self.message}
