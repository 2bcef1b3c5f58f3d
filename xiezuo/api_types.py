"""Parameter types shared by the API's routers, so the OpenAPI schema says
what each endpoint accepts.

An endpoint that refuses a year of 1999 or a `kind` it does not know, while
its schema declares a bare integer or string, tells clients (and the fuzzer)
something untrue: schemathesis found 33 requests valid by the schema that
the API refused. Ranges and enumerations are therefore declared here once
and read from the models' own choices, so the schema and the validation are
one and cannot drift apart.
"""

from typing import Annotated, Literal

from ninja import Query
from pydantic import Field

from xiezuo.front.params import FIRST_YEAR, LAST_YEAR


# A year in a body: the same range as the pages and the query parameters.
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, description=f"年度（{FIRST_YEAR}–{LAST_YEAR}）")]


def choices(model, field, blank=False):
    """`Literal` of the stored values of a model field's choices; `blank`
    adds "" for a filter that may be left empty."""
    values = tuple(str(key) for key, _ in model._meta.get_field(field).flatchoices)
    return Literal[("",) + values if blank else values]


def year_query(default=None, **kwargs):
    """A year in the query string, 2000–2100."""
    return Query(default, ge=FIRST_YEAR, le=LAST_YEAR, description=f"年度（{FIRST_YEAR}–{LAST_YEAR}）", **kwargs)


def page_query(default=1):
    return Query(default, ge=1, le=1_000_000, description="页码，从1开始")


def limit_query(default, high=500):
    return Query(default, ge=1, le=high, description=f"每页条数（1–{high}）")
