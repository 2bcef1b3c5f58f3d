from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from xiezuo.audit.context import acting_as
from xiezuo.demo import DEMO_PASSWORD, DEMO_USERS, STEPS
from xiezuo.front.models import DemoStep


def discover():
    for config in apps.get_app_configs():
        if config.name.startswith("xiezuo."):
            try:
                import_module(f"{config.name}.demo")
            except ModuleNotFoundError as e:
                if e.name != f"{config.name}.demo":
                    raise


class Command(BaseCommand):
    help = "Load the 六合区—湟源县 demo. Steps already loaded are skipped."

    def handle(self, *args, **options):
        discover()
        done = set(DemoStep.objects.values_list("name", flat=True))
        ran = 0
        with acting_as(username="load_demo"):
            for order, name, fn in sorted(STEPS, key=lambda s: (s[0], s[1])):
                if name in done:
                    continue
                with transaction.atomic():
                    fn()
                    DemoStep.objects.create(name=name)
                ran += 1
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"演示数据：本次载入{ran}步，已跳过{len(done)}步。")
            self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
            for username, display, _ in DEMO_USERS:
                self.stdout.write(f"  {username:<10} {display}")
