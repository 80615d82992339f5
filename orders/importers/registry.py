"""Which format reads which channel's files."""

from django.utils.translation import gettext as _

from core.errors import DomainError
from . import amazon, douyin, generic, jd, pdd, shopify, taobao
from .base import OrderFormat

FORMATS: dict[str, OrderFormat] = {
    fmt.code: fmt for fmt in (taobao.FORMAT, jd.FORMAT, pdd.FORMAT, douyin.FORMAT, shopify.FORMAT, amazon.FORMAT, generic.FORMAT)
}


def format_for(channel, code: str = "") -> OrderFormat:
    """The format named ``code``, or the one for the channel's platform (the template for the others)."""
    if code:
        try:
            return FORMATS[code]
        except KeyError:
            raise DomainError(
                _("Unknown file format “%(code)s”; known: %(known)s.") % {"code": code, "known": ", ".join(FORMATS)}
            ) from None
    for fmt in FORMATS.values():
        if channel.platform in fmt.platforms:
            return fmt
    return FORMATS["generic"]


def format_choices():
    return [(code, fmt.label) for code, fmt in FORMATS.items()]
