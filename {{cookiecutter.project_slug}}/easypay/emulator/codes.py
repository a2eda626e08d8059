"""Result codes the emulator answers with.

KICC documents "0000", the card decline codes, the refund codes VTIM / VT00 and the bank's
refusal 5413; every other failure code is UNKNOWN (docs/kicc-api.md §9, §14), so the emulator
invents them here, in ONE table, and README.md repeats it (a test keeps them equal). A client
must rely only on "0000" vs not-"0000" (plus the documented 8xxx codes and VTIM / VT00).
The documented refund codes themselves are easypay.methods' (the client reads the same ones):
only their Korean messages are the emulator's.
"""

from easypay import methods

SUCCESS = "0000"

# A real-time refund the bank did not answer in time (§9, DOC): "timed out" / "unknown".
# Not a no: the merchant asks again with refundQueryFlag "Y".
REFUND_TIMEOUT, REFUND_UNKNOWN = methods.REFUND_IN_DOUBT_CODES
REFUND_IN_DOUBT = {REFUND_TIMEOUT: "환불 처리 시간 초과", REFUND_UNKNOWN: "환불 결과 미확인"}
# The bank refused the transfer of a refund (§8.1's example of 노티 51, DOC*): the emulator
# also answers it to a real-time refund the bank refuses at once, and to a refund query about
# one the bank refused.
BANK_REFUSED = methods.BANK_REFUSED
BANK_REFUSED_MESSAGE = "은행 이체 불가 (환불 계좌 확인)"

# Documented card declines the payment window can produce (docs/kicc-api.md §9, DOC).
DECLINES = {
    "8521": "카드 한도 초과",
    "8035": "체크카드 잔액 부족",
    "8311": "카드 비밀번호 오류",
    "8350": "분실/도난 카드",
    "8373": "카드사 정책에 의한 거절, 카드사 문의",
}

# --- emulator-invented ---------------------------------------------------------------
BAD_REQUEST = "X000"  # body is not a JSON object (answered with HTTP 400)
MISSING_FIELD = "X001"
TOO_LONG = "X002"
FORBIDDEN_CHARACTER = "X003"
INVALID_VALUE = "X004"
UNKNOWN_MALL = "X005"
DATE_NOT_TODAY = "X006"
DUPLICATE_KEY = "X010"
ORDER_ALREADY_APPROVED = "X011"
UNKNOWN_AUTHORIZATION = "X020"
REUSED_AUTHORIZATION = "X021"
FOREIGN_AUTHORIZATION = "X022"
NOT_AUTHENTICATED = "X023"
WINDOW_ALREADY_USED = "X024"
BAD_SIGNATURE = "X030"
UNKNOWN_PG_CNO = "X031"
OVER_CANCEL = "X032"
REMAIN_AMOUNT_MISMATCH = "X033"
ALREADY_CANCELLED = "X034"
UNKNOWN_REVISE_TYPE = "X035"
AMOUNT_REQUIRED = "X036"
REVISE_NOT_ALLOWED = "X037"
REFUND_INFO_REQUIRED = "X038"
DEPOSIT_MISMATCH = "X039"
NOT_FOUND = "X040"
OUTSIDE_STATUS_WINDOW = "X041"
NO_REFUND_TO_QUERY = "X042"
USER_CANCEL = "W324"  # the only candidate seen anywhere (a DJ commit message, unconfirmed)
WINDOW_ERROR = "X050"

INVENTED = {
    BAD_REQUEST: "요청 본문이 JSON 객체가 아님 (HTTP 400)",
    MISSING_FIELD: "필수 항목 누락",
    TOO_LONG: "항목 길이 초과",
    FORBIDDEN_CHARACTER: "허용되지 않는 문자",
    INVALID_VALUE: "허용되지 않는 값",
    UNKNOWN_MALL: "등록되지 않은 가맹점",
    DATE_NOT_TODAY: "요청일자가 오늘(KST)이 아님",
    DUPLICATE_KEY: "중복 요청 (shopTransactionId)",
    ORDER_ALREADY_APPROVED: "이미 승인된 주문",
    UNKNOWN_AUTHORIZATION: "인증 거래 없음",
    REUSED_AUTHORIZATION: "이미 사용된 인증 거래",
    FOREIGN_AUTHORIZATION: "다른 가맹점/주문의 인증 거래",
    NOT_AUTHENTICATED: "인증이 완료되지 않은 거래",
    WINDOW_ALREADY_USED: "이미 처리된 결제창",
    BAD_SIGNATURE: "메시지 인증값 오류",
    UNKNOWN_PG_CNO: "원거래 없음",
    OVER_CANCEL: "취소 가능 금액 초과",
    REMAIN_AMOUNT_MISMATCH: "취소 가능 잔액 불일치",
    ALREADY_CANCELLED: "이미 취소된 거래",
    UNKNOWN_REVISE_TYPE: "지원하지 않는 변경 구분",
    AMOUNT_REQUIRED: "부분취소 금액 누락",
    REVISE_NOT_ALLOWED: "이 거래에 허용되지 않는 변경",
    REFUND_INFO_REQUIRED: "환불 계좌(refundInfo) 누락",
    DEPOSIT_MISMATCH: "입금 거래번호(depositPgCno) 불일치",
    NOT_FOUND: "조회 결과 없음",
    OUTSIDE_STATUS_WINDOW: "조회 가능 기간(어제·오늘) 초과",
    NO_REFUND_TO_QUERY: "조회할 환불 요청 없음 (refundQueryFlag)",
    USER_CANCEL: "사용자 취소",
    WINDOW_ERROR: "결제창 오류",
}

# statusCode / statusMessage (§10.4). TS02/TS03/TS06 are the messages seen in real answers
# (OBS); the others are the emulator's Korean for §10.4's English states.
STATUS_MESSAGES = {
    "TS02": "승인취소",
    "TS03": "매입요청",
    "TS06": "부분매입취소",
    "TS07": "입금대기",
    "TS08": "입금완료",
    methods.REFUND_REQUESTED: "환불요청",
    methods.REFUND_DONE: "환불완료",
    methods.REFUND_REFUSED: "환불거절",
}
