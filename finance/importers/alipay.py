"""Alipay 账务明细 (account statement), classic 12 columns or the newer 16.

GBK text; "#" lines before and after the table (query, account, dates,
totals, export time); text cells end with a tab before the comma; Taobao and
Tmall orders appear as 商户订单号 ``T200P<order id>``. One line per ledger
entry (账务流水号): payments in, refunds out, service fees, withdrawals. The
closing lines count and add up both sides (``#支出合计：2笔，共20.79元``,
``#收入合计：18笔，共14989.00元``); every statement has them, and the rows must
add up to them.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from core.files import comment_line, read_rows

from ..models import SettlementKind
from .lines import ColumnSums, FileFacts, ParsedLine, amount, each_row, kind_from_words, text, when

LEDGER_ID = "账务流水号"
TRADE_NO = "业务流水号"
MERCHANT_ORDER = "商户订单号"
OCCURRED = "发生时间"
INCOME = "收入金额（+元）"
EXPENSE = "支出金额（-元）"
BUSINESS_TYPE = "业务类型"
REMARK = "备注"
DESCRIPTION = "业务描述"
REQUIRED = (LEDGER_ID, MERCHANT_ORDER, OCCURRED, INCOME, EXPENSE, BUSINESS_TYPE)

CLOSING_TOTAL = re.compile(r"#(收入|支出)合计[：:]\s*(\d+)\s*笔[，,]\s*共\s*(-?[\d,]+(?:\.\d+)?)\s*元")
SIDES = {"收入": INCOME, "支出": EXPENSE}
TAOBAO_ORDER = re.compile(r"^T\d*P(\d+)$")
REFUND_WORDS = ("退款",)
FEE_WORDS = ("服务费", "佣金", "手续费", "技术服务", "推广", "扣款", "费用")
OTHER_WORDS = ("提现", "转账", "充值", "结息", "保证金")


def order_reference(merchant_order: str) -> str:
    """``T200P1234567890`` → ``1234567890`` (the Taobao/Tmall order id); others as they are."""
    match = TAOBAO_ORDER.match(merchant_order)
    return match[1] if match else merchant_order


def _line(row) -> ParsedLine:
    income = amount(row, INCOME, required=False)
    expense = abs(amount(row, EXPENSE, required=False))
    business = text(row, BUSINESS_TYPE)
    words = f"{business} {text(row, DESCRIPTION)}"
    reference = order_reference(text(row, MERCHANT_ORDER, limit=64))
    default = SettlementKind.SALE if reference and income > 0 else SettlementKind.OTHER
    return ParsedLine(
        line_number=row.line,
        external_id=text(row, LEDGER_ID, required=True, limit=128),
        occurred_at=when(row, OCCURRED),
        kind=kind_from_words(words, refund=REFUND_WORDS, fee=FEE_WORDS, other=OTHER_WORDS, default=default),
        amount=income - expense,
        currency="CNY",
        order_reference=reference,
        payment_reference=text(row, TRADE_NO, limit=100),
        description=" ".join(part for part in (business, text(row, REMARK)) if part)[:255],
    )


class ClosingLines:
    """The statement's ``#收入合计`` and ``#支出合计`` lines: side → (entries, sum)."""

    def __init__(self):
        self.totals: dict[str, tuple[int, Decimal]] = {}

    def take(self, cells: list[str]) -> bool:
        """read_rows' ``skip``: True for every "#" line, remembering the closing totals."""
        if not comment_line(cells):
            return False
        if match := CLOSING_TOTAL.match(",".join(cells)):
            self.totals[match[1]] = (int(match[2]), Decimal(match[3].replace(",", "")))
        return True


def parse(source, facts: FileFacts):
    closing = ClosingLines()
    sums = ColumnSums(INCOME, EXPENSE)
    yield from each_row(sums.counted(read_rows(source, required=REQUIRED, skip=closing.take)), _line)
    if set(closing.totals) != set(SIDES):
        facts.summary_missing(_("its closing lines (#收入合计, #支出合计)"))
        return
    for side, column in SIDES.items():
        entries, total = closing.totals[side]
        facts.compare(f"#{side}合计", entries, sums.not_zero[column], _("entries"))
        facts.compare(f"#{side}合计", abs(total), abs(sums.sums[column]), "CNY")
