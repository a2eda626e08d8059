"""Which payment window KICC should open: deviceTypeCode "pc" or "mobile" (§3.1, §10.2).

The window differs in size and layout (§4: PC 720×680, mobile 500×850), so a phone must get
the mobile one. Decided from the User-Agent, as the window itself cannot be asked.
"""

import re

# "Mobi" covers every browser that follows MDN's advice ("Mobile" in the UA of phones),
# the rest are phones and tablets that do not say so. A desktop-looking iPad (iPadOS 13+)
# gets the PC window, which fits its screen.
_MOBILE = re.compile(
    r"Mobi|Android|iPhone|iPad|iPod|Windows Phone|BlackBerry|BB10|Opera Mini|IEMobile|webOS",
    re.IGNORECASE,
)

PC = "pc"
MOBILE = "mobile"


def device_type_code(user_agent: str | None) -> str:
    """The deviceTypeCode: "mobile" for phones and tablets, "pc" for everything else."""
    return MOBILE if user_agent and _MOBILE.search(user_agent) else PC
