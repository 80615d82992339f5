"""The warehouse screens (/warehouse/): pick queue, waves, packing, shipping and
receiving purchases. They work orders, so they live in orders; the stock they
show is read through inventory."""
