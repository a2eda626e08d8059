"""Steps shared by the contract tests: the real client against the emulator over real HTTP."""

import itertools
from urllib.parse import parse_qs, urlsplit

from easypay import kst
from easypay.client import EasyPayClient, new_shop_transaction_id

RETURN_URL = "http://testserver/payments/return/token/"
_orders = itertools.count(1)


def new_order_no() -> str:
    return f"ORD-{next(_orders):06d}"


def client_for(emulator, **timeouts) -> EasyPayClient:
    return EasyPayClient(
        base_url=emulator.api_url,
        mall_id=emulator.mall_id,
        secret_key=emulator.secret_key,
        timeouts=timeouts or None,
    )


def authorization_id_of(auth_page_url: str) -> str:
    """KICC puts the future authorizationId in the window's URL (§3.2)."""
    return parse_qs(urlsplit(auth_page_url).query)["authorizationId"][0]


def authenticated(
    emulator, client, order_no, *, amount=15000, outcome="approve", provider=None, **register
):
    """Register and press a window button (`provider`: the bank, carrier or wallet picked);
    returns the ReturnPost the shop would receive."""
    registered = client.register(
        shop_order_no=order_no,
        amount=amount,
        goods_name="테스트 상품",
        return_url=RETURN_URL,
        device_type_code="pc",
        **register,
    )
    return emulator.authenticate(
        authorization_id_of(registered.auth_page_url), outcome, provider=provider
    )


def approve(client, order_no, authorization_id, *, expected_amount=15000, key=None):
    return client.approve(
        shop_transaction_id=key or new_shop_transaction_id(),
        authorization_id=authorization_id,
        shop_order_no=order_no,
        approval_req_date=kst.today(),
        expected_amount=expected_amount,
    )


def paid(emulator, client, *, amount=15000, outcome="approve", provider=None, **register):
    """A fresh order, approved: (order_no, ApprovalResult)."""
    order_no = new_order_no()
    post = authenticated(
        emulator, client, order_no, amount=amount, outcome=outcome, provider=provider, **register
    )
    return order_no, approve(
        client, order_no, post.fields["authorizationId"], expected_amount=amount
    )


def cancel(client, pg_cno, code="40", *, key=None, **options):
    return client.revise(
        shop_transaction_id=key or new_shop_transaction_id(),
        pg_cno=pg_cno,
        revise_type_code=code,
        cancel_req_date=kst.today(),
        **options,
    )


def refund(client, pg_cno, code="62", *, key=None, account=None, **options):
    """A refund (60/62/63) to a test account; options as for EasyPayClient.revise."""
    from easypay.client import RefundAccount

    return client.revise(
        shop_transaction_id=key or new_shop_transaction_id(),
        pg_cno=pg_cno,
        revise_type_code=code,
        cancel_req_date=kst.today(),
        refund_account=account or RefundAccount("004", "12345678901234", "홍길동"),
        **options,
    )
