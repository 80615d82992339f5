"""WeChat Pay trade bill (交易账单, "ALL"): 27 columns (24 in the 2014–15 variant).

Every value is prefixed with a backtick (the shared reader removes it); after
the rows comes a summary block (总交易单数, …) that ends the data: every bill
has one, and the rows must add up to it. A paid trade (SUCCESS) is a sale of
应结订单金额 less its 手续费 (to 0.00001, as WeChat charges it); a refund row
(REFUND) pays back 退款金额, and the fee share WeChat returns with it.
"""

from django.utils.translation import gettext as _

from core.files import parse_amount, read_rows

from ..models import SettlementKind
from .lines import FEE_PLACES, ColumnSums, FileFacts, ParsedLine, amount, each_row, text, when

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
SUMMARY = "总交易单数"  # the summary's first column, the number of rows
# Each summary column and the column of the rows it adds up (the 2014–15 names too).
SUMMARY_SUMS = {
    "应结订单总金额": SETTLED_AMOUNT,
    "总交易额": OLD_TOTAL,
    "退款总金额": REFUND_AMOUNT,
    "总退款金额": REFUND_AMOUNT,
    "充值券退款总金额": "充值券退款金额",
    "总代金券或立减优惠退款金额": "代金券或立减优惠退款金额",
    "手续费总金额": FEE,
    "订单总金额": "订单金额",
    "申请退款总金额": "申请退款金额",
}


class SummaryBlock:
    """The bill's summary: its header line, then its figures; lines after it are no trades."""

    def __init__(self):
        self.names: list[str] | None = None
        self.figures: dict[str, str] | None = None

    def take(self, cells: list[str]) -> bool:
        """read_rows' ``skip``: True for the summary's lines."""
        if self.names is None:
            if cells[0] != SUMMARY:
                return False
            self.names = cells
        elif self.figures is None:
            self.figures = dict(zip(self.names, cells, strict=False))
        return True


def _line(row) -> ParsedLine:
    status = text(row, STATUS).upper()
    transaction_id = text(row, TRANSACTION_ID, required=True, limit=100)
    fee = -amount(row, FEE, required=False, places=FEE_PLACES)
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


def parse(source, facts: FileFacts):
    summary = SummaryBlock()
    sums = ColumnSums(*dict.fromkeys(SUMMARY_SUMS.values()))
    yield from each_row(sums.counted(read_rows(source, required=REQUIRED, skip=summary.take)), _line)
    if summary.figures is None:
        facts.summary_missing(_("its summary (总交易单数, 应结订单总金额, …)"))
        return
    _compare(summary.figures, sums, facts)


def _compare(figures: dict[str, str], sums: ColumnSums, facts: FileFacts) -> None:
    for name, figure in figures.items():
        try:
            declared = parse_amount(figure, blank=None)
        except ValueError:
            facts.disagreements.append(_("%(figure)s: “%(text)s” is not a number.") % {"figure": name, "text": figure})
            continue
        if name == SUMMARY:
            facts.compare(name, declared, sums.rows)
        elif name in SUMMARY_SUMS and declared is not None:
            facts.compare(name, declared, sums.sums[SUMMARY_SUMS[name]])
