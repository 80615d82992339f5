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


# A customer's phone is buyer contact, its credit limit money: the same
# permissions decide who sees them as on the orders.
CUSTOMER_CONTACT_FIELDS = ("phone",)
CUSTOMER_MONEY_FIELDS = ("credit_limit",)
# The terms a B2B customer buys on: Finance sets the credit limit (README's
# role table); the payment terms are agreed with the customer, a Supervisor's call.
CUSTOMER_TERMS_PERMISSIONS = {
    "credit_limit": "orders.change_credit_limit",
    "payment_terms_days": "orders.change_payment_terms",
}


def hidden_customer_fields(user) -> set[str]:
    hidden = set()
    if not can_see_buyer_contact(user):
        hidden.update(CUSTOMER_CONTACT_FIELDS)
    if not can_see_amounts(user):
        hidden.update(CUSTOMER_MONEY_FIELDS)
    return hidden


def customer_fields_locked_for(user) -> set[str]:
    """Customer fields this user may not set, even with the right to change
    customers: those hidden from them, and the terms their role does not decide."""
    locked = hidden_customer_fields(user)
    locked.update(field for field, permission in CUSTOMER_TERMS_PERMISSIONS.items() if not user.has_perm(permission))
    return locked
