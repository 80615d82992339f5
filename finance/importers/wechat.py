"""WeChat Pay trade bill (交易账单, "ALL"): 27 columns (24 in the 2014–15 variant).

Every value is prefixed with a backtick (the shared reader removes it); after
the rows comes a summary block (总交易单数, …) that ends the data. A paid
trade (SUCCESS) is a sale of 应结订单金额 less its 手续费; a refund row
(REFUND) pays back 退款金额, and the fee share WeChat returns with it.
"""

from core.files import read_rows

from ..models import SettlementKind
from .lines import ParsedLine, amount, each_row, text, when

TRADE_TIME = "交易时间"
TRANSACTION_ID = "微信订单号"
MERCHANT_ORDER = "商户订单号"
STATUS = "交易状态"
CURRENCY = "货币种类"
SETTLED_AMOUNT = "应结订单金额"
OLD_TOTAL = "总金额"
REFUND_ID = "微信退款单号"
MERCHANT_REFUND_ID = "商户退款单号"
REFUND_AMOUNT = "退款金额"
FEE = "手续费"
PRODUCT = "商品名称"
REQUIRED = (TRADE_TIME, TRANSACTION_ID, MERCHANT_ORDER, STATUS, FEE)
SUMMARY = "总交易单数"


def _line(row) -> ParsedLine:
    status = text(row, STATUS).upper()
    transaction_id = text(row, TRANSACTION_ID, required=True, limit=100)
    fee = -amount(row, FEE, required=False)
    line = ParsedLine(
        line_number=row.line,
        external_id=transaction_id,
        occurred_at=when(row, TRADE_TIME),
        kind=SettlementKind.SALE,
        amount=amount(row, SETTLED_AMOUNT, OLD_TOTAL, required=False),
        currency=(text(row, CURRENCY) or "CNY")[:3].upper(),
        fee=fee,
        order_reference=text(row, MERCHANT_ORDER, limit=64),
        payment_reference=transaction_id,
        description=f"{status} {text(row, PRODUCT)}".strip()[:255],
    )
    if status == "REFUND":
        refund_id = text(row, REFUND_ID, MERCHANT_REFUND_ID, required=True, limit=100)
        line.external_id = f"refund:{refund_id}"[:128]
        line.kind = SettlementKind.REFUND
        line.amount = -abs(amount(row, REFUND_AMOUNT))
    elif status != "SUCCESS":
        line.kind = SettlementKind.OTHER  # REVOKED, CLOSED…: shown, never matched
    return line


def parse(source, facts=None):
    rows = read_rows(source, required=REQUIRED, stop=lambda cells: cells[0] == SUMMARY)
    return each_row(rows, _line)
