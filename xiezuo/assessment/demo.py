"""Demo of the assessment: a drafted self-evaluation for 2022 whose figures
come from whatever ledgers are loaded (steps 900+ run after every ledger)."""

from xiezuo.accounts.models import User
from xiezuo.demo import step

from . import workflow


@step(900)
def self_evaluation_2022():
    from xiezuo.pairings.demo import county_pair

    workflow.get_or_draft(county_pair(), 2022, User.objects.filter(username="huangyuan").first())
