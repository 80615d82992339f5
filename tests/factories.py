"""factory_boy factories for the reference data tests build on.

Orders have no factory on purpose: their status is protected, so tests create
them with ``orders.services.order_create`` and move them with the real
services (see the ``order_in_status`` fixture in ``tests/conftest.py``).
"""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory, Password

from inventory.models import SKU, SKUAlias, Supplier, Warehouse
from orders.models import Channel, Customer, Platform

PASSWORD = "orderdesk-test"


class ChannelFactory(DjangoModelFactory):
    class Meta:
        model = Channel

    code = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.Sequence(lambda n: f"Shop {n}")
    platform = Platform.TAOBAO
    default_currency = "CNY"


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")

    class Params:
        business = factory.Trait(
            is_business=True,
            company=factory.Sequence(lambda n: f"Company {n} Ltd."),
            credit_limit=None,
            payment_terms_days=30,
        )


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    regions = factory.LazyFunction(list)
    priority = 100


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"sup-{n}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    lead_time_days = 7


class SKUFactory(DjangoModelFactory):
    class Meta:
        model = SKU

    code = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    barcode = factory.Sequence(lambda n: f"69{n:011d}")


class SKUAliasFactory(DjangoModelFactory):
    class Meta:
        model = SKUAlias

    channel = factory.SubFactory(ChannelFactory)
    sku = factory.SubFactory(SKUFactory)
    platform_sku_code = factory.Sequence(lambda n: f"P-{n:05d}")


class UserFactory(DjangoModelFactory):
    """A staff user; pass ``groups=[group, ...]`` to give them a role."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = Password(PASSWORD)
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)


# --- plain builders for service inputs -------------------------------------------


def ship_to(**overrides) -> dict:
    """A complete mainland ship-to address (Shanghai), as order_create takes it."""
    address = {
        "ship_name": "张三",
        "ship_phone": "13800138000",
        "ship_country": "CN",
        "ship_province": "上海",
        "ship_city": "上海市",
        "ship_district": "浦东新区",
        "ship_address": "世纪大道 100 号 8 楼",
        "ship_postcode": "200120",
    }
    address.update(overrides)
    return address
