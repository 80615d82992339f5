"""Field scope by role: who may see buyer contact details and money.

Every screen, export and message that shows order data asks these, so a
Warehouse user never receives a phone number or an amount from the server.
"""

CONTACT_FIELDS = ("ship_phone", "customer")
MONEY_FIELDS = ("currency", "goods_amount", "shipping_amount", "discount_amount", "tax_amount", "paid_amount")
LINE_MONEY_FIELDS = ("unit_price", "discount_amount")


def can_see_buyer_contact(user) -> bool:
    return user.has_perm("orders.view_buyer_contact")


def can_see_amounts(user) -> bool:
    return user.has_perm("orders.view_order_amounts")


def hidden_order_fields(user) -> set[str]:
    hidden = set()
    if not can_see_buyer_contact(user):
        hidden.update(CONTACT_FIELDS)
    if not can_see_amounts(user):
        hidden.update(MONEY_FIELDS)
    return hidden
