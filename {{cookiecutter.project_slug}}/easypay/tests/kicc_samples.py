"""Real KICC answers (docs/kicc-api.md §5.2, §5.3), for tests of shapes the emulator cannot produce.

REAL_CARD_APPROVAL is the test-host card approval captured in [OBS-A] (MID T0020391): its
msgAuthValue is KICC's own, reproduced with the shared test key (§5.3, VERIFIED).
"""

import copy

TEST_SECRET = "easypay!KICCTEST"

REAL_CARD_APPROVAL = {
    "resCd": "0000",
    "resMsg": "MPI결제 정상",
    "mallId": "T0020391",
    "pgCno": "24081308560510790235",
    "shopTransactionId": "66baa1377bb15",
    "shopOrderNo": "20210326085908",
    "amount": 51004,
    "transactionDate": "20240813085635",
    "statusCode": "TS03",
    "statusMessage": "매입요청",
    "msgAuthValue": "8ea7f8f5ef8ab5c80f409d3dccafeca6c6cb89e5dfda2a41a5d3493e94a146ca",
    "escrowUsed": "N",
    "paymentInfo": {
        "payMethodTypeCode": "11",
        "approvalNo": "00190653",
        "approvalDate": "20240813085635",
        "cardInfo": {
            "cardNo": "41190400****704*",
            "issuerCode": "008",
            "acquirerCode": "008",
            "installmentMonth": 0,
            "freeInstallmentTypeCode": "00",
            "cardGubun": "N",
            "cardBizGubun": "P",
            "partCancelUsed": "Y",
            "couponAmount": 0,
        },
        "bankInfo": {"bankCode": "", "bankName": ""},
    },
}


def real_card_approval(**changes) -> dict:
    """A deep copy of the real answer with top-level fields changed."""
    body = copy.deepcopy(REAL_CARD_APPROVAL)
    body.update(changes)
    return body
