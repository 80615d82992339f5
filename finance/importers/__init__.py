"""Settlement files in: each platform's format read into ParsedLine rows
through THE shared reader (core.files), then matched and stored
by finance.services.settlement.

    alipay   Alipay 账务明细 (GBK, "#" preamble and footer, tab-terminated text cells)
    wechat   WeChat Pay trade bill (backtick-prefixed values, summary block)
    shopify  Shopify Payments transactions export
    amazon   Amazon settlement flat file V2 (tab-separated; the legacy V1 is read too)
"""

from ..models import SettlementSource
from . import alipay, amazon, shopify, wechat
from .lines import FileFacts, ParsedLine, RowProblem

PARSERS = {
    SettlementSource.ALIPAY: alipay.parse,
    SettlementSource.WECHAT: wechat.parse,
    SettlementSource.SHOPIFY: shopify.parse,
    SettlementSource.AMAZON: amazon.parse,
}

__all__ = ["PARSERS", "FileFacts", "ParsedLine", "RowProblem"]
