"""Settings of the assessment benchmark's server: the project's settings with
a URLconf that adds the naive aggregate views beside the real ones, so both
are timed on the same server in the same run. Never used outside bench/."""

from xiezuo.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.assessment_naive"
