"""The floor: KICC's part of a card payment with no shop around it.

    from apps.payments.loadtest.floor import KiccOnly

    floor = KiccOnly("http://127.0.0.1:9100")     # the emulator's base URL; one per thread
    purchase = floor.pay()                        # a Purchase with steps register, window,
                                                  # press, approve; .status "paid" when approved

The same HTTP calls a payment through the shop makes to KICC — register (the shop's
checkout), the window and its button (the buyer's browser), approve (the shop's return) —
through the shop's own EasyPayClient (a fresh connection per call, as the shop makes them),
and nothing else: no database, no page. A shop cannot pay faster than this on the same
machine; the benchmark reports the shop's throughput as a fraction of it.
"""

import time
import uuid

from django.conf import settings

from easypay import kst
from easypay.client import EasyPayClient, new_shop_transaction_id
from easypay.emulator.engine import TEST_MALL_ID, TEST_SECRET_KEY
from easypay.exceptions import EasyPayError

from .buyer import TIMEOUT, Browser, Purchase, Step, Stop


class KiccOnly(Browser):
    def __init__(
        self,
        api_url: str,
        *,
        mall_id: str = TEST_MALL_ID,
        secret_key: str = TEST_SECRET_KEY,
        amount: int = 1000,
        goods_name: str = "기준선 상품",
        return_url: str = "https://shop.example.com/payments/easypay/return/floor/",
        timeout=TIMEOUT,
    ):
        super().__init__(timeout=timeout)
        if not settings.configured:
            # The client reads Django's clock (easypay.kst); a driver process has no project
            # settings, and needs none but an aware "now".
            settings.configure(USE_TZ=True)
        self.client = EasyPayClient(base_url=api_url, mall_id=mall_id, secret_key=secret_key)
        self.amount = amount
        self.goods_name = goods_name
        self.return_url = return_url

    def pay(self, button: str = "approve") -> Purchase:
        purchase = Purchase(button=button)
        purchase.shop_order_no = f"FLOOR-{uuid.uuid4().hex[:20]}"
        try:
            registered = self._call(
                purchase,
                "register",
                self.client.register,
                shop_order_no=purchase.shop_order_no,
                amount=self.amount,
                goods_name=self.goods_name,
                return_url=self.return_url,
                device_type_code="pc",
            )
            window = self.open_window(purchase, registered.auth_page_url)
            returned = self.press(purchase, window)
            fields = returned.forms[0]["fields"] if returned.forms else {}
            if fields.get("resCd") != "0000":
                purchase.status = "failed"
                return purchase
            self._call(
                purchase,
                "approve",
                self.client.approve,
                shop_transaction_id=new_shop_transaction_id(),
                authorization_id=fields["authorizationId"],
                shop_order_no=purchase.shop_order_no,
                approval_req_date=kst.today(),
                expected_amount=self.amount,
            )
            purchase.status = "paid"
        except Stop as stop:
            purchase.error = str(stop)
        return purchase

    @staticmethod
    def _call(purchase, name, call, **arguments):
        step = Step(name, "POST", name)
        purchase.steps.append(step)
        started = time.perf_counter()
        try:
            result = call(**arguments)
        except EasyPayError as error:
            step.status = error.call.http_status if error.call else None
            step.error = str(error)
            raise Stop(f"{name}: {error}") from None
        finally:
            step.ms = (time.perf_counter() - started) * 1000
        step.status = result.call.http_status
        return result
