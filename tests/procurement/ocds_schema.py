"""Validate OCDS packages against the offline copy of the 1.1.5 schemas.

Every schema file is registered under its own `id`, so the packages'
references to the release schema resolve locally; an unknown reference
raises instead of fetching anything.
"""

import functools
import json

from jsonschema import Draft4Validator
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

from xiezuo.demo import shared_dir


def folder():
    return shared_dir() / "ocds" / "1.1.5"


def _no_network(uri):
    raise NoSuchResource(ref=uri)


@functools.cache
def registry():
    resources = []
    for path in sorted(folder().glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"], DRAFT4.create_resource(contents)))
    return Registry(retrieve=_no_network).with_resources(resources)


def validator(name):
    schema = json.loads((folder() / name).read_text(encoding="utf-8"))
    return Draft4Validator(schema, registry=registry(), format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(package, name):
    """Return the validation error messages of a package (empty when valid)."""
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(package)]
