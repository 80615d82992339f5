"""Order services: the only code that changes an order.

Each service runs in one transaction, locks the order first (then its lines,
then stock, then finance rows), checks the permission the transition declares,
writes the timeline event and schedules side effects after commit.

``actor`` is the user who asked; ``None`` means the system itself (a scheduled
job, an import), which is not subject to role permissions. ``at`` is when it
happened: now, unless an import or the demo replays a platform's own timestamps.

Callers import from here (``from orders import services``); the modules of
this package group the services by what they do.
"""

from .allocation import (
    order_allocate,
    order_allocate_or_flag,
    order_deallocate,
    order_flag_out_of_stock,
    orders_allocate_approved,
)
from .corrections import (
    ADDRESS_FINAL_STATUSES,
    EDITABLE_FIELDS,
    order_details_problems,
    order_editable_fields,
    order_update_details,
)
from .creation import LineInput, order_create
from .credit import order_approve_on_terms, order_grant_credit, order_refuse_credit
from .exceptions import exception_owner_notify, order_flag_exception, order_resolve_exception

# Imports and what they record (issue 3)
from .import_batches import (  # noqa: E402 - after the services the importers use
    import_batch_confirm,
    import_batch_continue,
    import_batch_create,
    import_batch_discard,
    import_batch_import,
    import_batch_preview,
    import_batch_run_again,
    import_batches_discard_stale,
    import_batches_fail_abandoned,
)
from .imports import PlatformLine, PlatformOrder, PlatformState, order_import_update, orders_import_new
from .lifecycle import (
    order_approve,
    order_cancel,
    order_complete,
    order_confirm_delivery,
    order_hold,
    order_mark_paid,
    order_pack,
    order_release,
    order_ship,
    order_start_picking,
)
from .master_data import channel_create, channel_update, customer_create, customer_update
from .merging import (
    merge_problems,
    order_merge,
    order_split,
    order_split_by_warehouse,
    order_unmerge,
    order_unsplit,
)
from .outside import order_ship_outside, order_update_tracking
from .replacement import ReplacementLine, order_create_replacement
from .replenishment import replenishment_refresh
from .sku_mapping import sku_alias_change, sku_alias_create
from .transitions import ACTION_LABELS

from .waves import parcel_pack, parcel_ship, wave_create  # the warehouse screens' pick waves and parcels

__all__ = [
    "ACTION_LABELS",
    "ADDRESS_FINAL_STATUSES",
    "EDITABLE_FIELDS",
    "LineInput",
    "ReplacementLine",
    "channel_create",
    "channel_update",
    "customer_create",
    "customer_update",
    "exception_owner_notify",
    "order_allocate",
    "order_allocate_or_flag",
    "order_deallocate",
    "order_flag_out_of_stock",
    "orders_allocate_approved",
    "order_approve",
    "order_approve_on_terms",
    "order_cancel",
    "order_complete",
    "order_confirm_delivery",
    "order_create",
    "order_create_replacement",
    "order_details_problems",
    "order_editable_fields",
    "order_flag_exception",
    "order_grant_credit",
    "order_hold",
    "order_mark_paid",
    "merge_problems",
    "order_merge",
    "order_split",
    "order_split_by_warehouse",
    "order_unmerge",
    "order_unsplit",
    "order_pack",
    "order_refuse_credit",
    "order_release",
    "order_resolve_exception",
    "order_ship",
    "order_start_picking",
    "order_update_details",
    "replenishment_refresh",
    # imports (issue 3)
    "PlatformLine",
    "PlatformOrder",
    "PlatformState",
    "import_batch_confirm",
    "import_batch_continue",
    "import_batch_create",
    "import_batch_discard",
    "import_batch_import",
    "import_batch_preview",
    "import_batch_run_again",
    "import_batches_discard_stale",
    "import_batches_fail_abandoned",
    "order_import_update",
    "order_ship_outside",
    "order_update_tracking",
    "orders_import_new",
    "sku_alias_change",
    "sku_alias_create",
    # the warehouse screens' pick waves and parcels (issue 4)
    "parcel_pack",
    "parcel_ship",
    "wave_create",
]
