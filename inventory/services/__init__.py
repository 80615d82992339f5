"""Stock services: the only code that changes stock levels, purchase requests
and replenishment suggestions (computed from the demand orders measure).
Callers import from here (``from inventory import services``)."""

from .arrivals import stock_arrived
from .imports import StockImportProblems, StockImportResult, stock_levels_import
from .master_data import (
    sku_create,
    sku_update,
    supplier_create,
    supplier_update,
    warehouse_create,
    warehouse_update,
)
from .purchasing import (
    PURCHASE_ACTION_LABELS,
    purchase_request_approve,
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_place,
    purchase_request_receive,
    purchase_request_reject,
    purchase_request_submit,
    purchase_requests_from_suggestions,
)
from .replenishment import StockDemand, replenishment_suggestions_replace
from .stock import (
    InsufficientStock,
    describe_split,
    reserve_locked,
    reserve_locked_many,
    stock_adjust,
    stock_count_record,
    stock_level_update_settings,
    stock_receive,
    stock_receive_return,
    stock_release_for_order,
    stock_move_reservation,
    stock_ship_for_order,
)

__all__ = [
    "PURCHASE_ACTION_LABELS",
    "InsufficientStock",
    "StockImportProblems",
    "StockDemand",
    "StockImportResult",
    "describe_split",
    "purchase_request_approve",
    "purchase_request_cancel",
    "purchase_request_create",
    "purchase_request_place",
    "purchase_request_receive",
    "purchase_request_reject",
    "purchase_request_submit",
    "purchase_requests_from_suggestions",
    "replenishment_suggestions_replace",
    "sku_create",
    "sku_update",
    "supplier_create",
    "supplier_update",
    "warehouse_create",
    "warehouse_update",
    "reserve_locked",
    "reserve_locked_many",
    "stock_adjust",
    "stock_arrived",
    "stock_count_record",
    "stock_level_update_settings",
    "stock_levels_import",
    "stock_receive",
    "stock_receive_return",
    "stock_release_for_order",
    "stock_move_reservation",
    "stock_ship_for_order",
]
