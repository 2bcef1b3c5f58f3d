"""The Liuhe–Huangyuan demo, assembled from every module.

Each app may have a `demo` module whose functions are decorated with
`@step(order)`. `load_demo` runs the steps it has not run before, each in its
own transaction, and remembers them, so running it twice changes nothing and
a module added later adds its demo to an existing database.
"""

import os
from pathlib import Path

from django.conf import settings

STEPS = []


def step(order):
    def register(fn):
        STEPS.append((order, f"{fn.__module__}.{fn.__name__}", fn))
        return fn

    return register


def shared_dir():
    """The folder of public data files that lives beside the repository."""
    return Path(os.environ.get("XIEZUO_SHARED_DIR", settings.BASE_DIR.parent / "shared"))


DEMO_PASSWORD = "xiezuo-demo-2022"
DEMO_USERS = [
    ("admin", "系统管理员", None),
    ("liuhe", "六合区协作办", "east"),
    ("huangyuan", "湟源县协作办", "west"),
    ("yiyuan", "湟源县人民医院", "unit"),
    ("lingdao", "领导（只读）", "leader"),
    ("shenji", "审计/纪检", "auditor"),
]
