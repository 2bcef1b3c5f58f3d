"""The navigation of modules on a pairing page.

Each domain app may declare `nav_items = [(label, url_name), ...]` in its
AppConfig; url names take the pairing id as their only argument.
"""

from django.apps import apps


def module_links():
    links = []
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, "nav_items", ()):
            links.append((label, url_name))
    return links
