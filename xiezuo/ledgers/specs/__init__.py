"""Ledger specs, one module per ledger. A spec whose models have not been
built yet is simply absent: importing this package registers what exists."""

from importlib import import_module

NAMES = ["funds", "projects", "disbursements", "tenders", "sales", "suppliers", "products", "buyers",
         "training", "employment", "talent", "enterprises", "donations", "visits", "agreed_items"]

for _name in NAMES:
    try:
        import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{_name}":
            raise
