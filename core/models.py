from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """Counters for document numbers (orders, returns, invoices).

    The row is locked while a number is taken, inside the transaction that uses
    it: a rollback gives the number back, so a series has no gaps.
    """

    name = models.CharField(max_length=64, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "orders_numbersequence"  # created by orders 0001; the table stays where it is
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name}: {self.last_value}"
