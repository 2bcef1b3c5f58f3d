"""Test fixtures shared by the whole suite.

The demo is loaded once per test database (session scope) and every test runs
in a transaction that is rolled back, so tests see the same Liuhe–Huangyuan
data and cannot disturb each other.
"""

import os

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase

from xiezuo.accounts.models import Membership, User
from xiezuo.pairings.models import Pairing, Region


# Property tests draw the same inputs on every CI run (derandomized, so a
# failure there is reproduced by running the suite again), and keep their
# example database under var/, out of the repository.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
# No deadline in either: an example that imports a workbook takes as long as
# the (shared, busy) machine lets it, and a slow run is not a wrong one.
hypothesis_settings.register_profile("dev", deadline=None, database=DirectoryBasedExampleDatabase(
    os.path.join(os.path.dirname(__file__), "var", "hypothesis")))
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_report_header(config):
    from django.conf import settings

    return [f"database: {settings.DATABASES['default']['ENGINE']}",
            f"hypothesis: {'derandomized (CI)' if os.environ.get('CI') else 'random, examples kept in var/'}"]


_SNAPSHOT = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        other_pairing()
        sibling_user()
        # Kept to restore after transactional tests, whose flush also wipes
        # what migrations seeded (categories, channels, rule sets, …).
        _SNAPSHOT["db"] = connection.creation.serialize_db_to_string()


def other_pairing():
    """A second, unrelated pairing with its own east-office user: the
    "foreign pairing" of every permission test."""
    pairing, _ = Pairing.objects.get_or_create(
        level="township", east_region=Region.objects.get(name="大厂街道"),
        west_region=Region.objects.get(name="申中乡"), parent=None,
    )
    member("outsider", "外部结对用户", pairing, "east")
    return pairing


def member(username, display_name, pairing, role):
    """Make (once) a user with the demo password and a role on `pairing`."""
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
    if created:
        user.set_password("xiezuo-demo-2022")
        user.save()
    Membership.objects.get_or_create(user=user, pairing=pairing, role=role)


SIBLING_PAIR = ("程桥街道", "和平乡")


def sibling_user():
    """A west-office user of one township pair under the demo county pair:
    the "sibling" of every other pairing of the same tree, who must reach
    none of their records (and, being below it, none of the county pair's)."""
    pairing = Pairing.objects.get(level="township", east_region__name=SIBLING_PAIR[0],
                                  west_region__name=SIBLING_PAIR[1])
    member("sibling", "兄弟结对用户", pairing, "west")
    return pairing


@pytest.fixture
def sibling(db):
    """The township pair of the "sibling" user."""
    return Pairing.objects.get(level="township", east_region__name=SIBLING_PAIR[0],
                               west_region__name=SIBLING_PAIR[1])


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts, and leaves the thread, in the site's language.
    Tests that read a message outside a request (the upload check, the
    validators) expect Chinese; on CI four of them once read English after
    whatever ran before them on the same worker (which one was not found:
    a request's language stays active in its thread, and a language
    override restores the one it found when it ends)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    # Production redirects to HTTPS; the test client and the live server of
    # the browser tests speak plain HTTP. Session-wide, because the live
    # server reads the setting once when it starts.
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def county(db):
    return Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")


@pytest.fixture
def foreign(db):
    return Pairing.objects.get(level="township", east_region__name="大厂街道", parent=None)


def _user(name):
    return User.objects.get(username=name)


@pytest.fixture
def users(db):
    """The permission checklist's cast."""
    return {name: _user(name) for name in ("admin", "liuhe", "huangyuan", "yiyuan", "lingdao", "shenji", "outsider",
                                           "sibling")}


@pytest.fixture
def client_for(client, db):
    """Return a function that gives a test client logged in as a user."""
    from django.test import Client

    def make(username):
        if username is None:
            return Client()
        c = Client()
        c.force_login(_user(username))
        return c

    return make


@pytest.fixture
def api_for(db):
    """Return a function giving an API client authenticated with a fresh token."""
    from django.test import Client

    from xiezuo.accounts.models import APIToken

    def make(username):
        c = Client()
        if username is not None:
            c.defaults["HTTP_AUTHORIZATION"] = "Bearer " + APIToken.issue(_user(username))
        return c

    return make


def pg_available():
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def postgres_only():
    """Skip on SQLite with the reason; CI sets XIEZUO_REQUIRE_PG so the
    PostgreSQL run can never pass by skipping."""
    if not pg_available():
        if os.environ.get("XIEZUO_REQUIRE_PG"):
            pytest.fail("XIEZUO_REQUIRE_PG is set but DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")


@pytest.fixture
def transactional_demo(transactional_db):
    """A committed database with the demo, for tests that need real commits
    (concurrent connections, pg_dump, a live server). Transactional tests
    empty the database when they end, so the state after the demo loaded is
    restored when it is missing; pytest-django runs these tests after all
    the others."""
    from django.db import connection

    if not Pairing.objects.filter(level="county").exists():
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        # The flush re-created content types and permissions with new ids;
        # the snapshot brings back the original ones.
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(_SNAPSHOT["db"])


@pytest.fixture(scope="session", autouse=True)
def _queue_runs_in_the_caller():
    """Tasks put on the job queue run at once inside the caller (huey's
    immediate mode, in memory): a unit test needs no worker. The tests of
    the queue itself run a real consumer (`queue_worker`, and one in a
    process of its own in tests/ledgers/test_queue.py)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture
def queue_worker(tmp_path):
    """A real consumer on a SQLite queue file, with one worker thread in this
    process (so it shares the test's database): tasks are stored, taken by
    the worker and run on its own connection, as a worker process does."""
    import signal

    from huey.contrib.djhuey import HUEY

    kwargs = dict(HUEY.storage_kwargs)
    HUEY.storage_kwargs["filename"] = str(tmp_path / "queue.sqlite3")
    HUEY.immediate = False  # builds the SQLite storage from storage_kwargs
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=False, check_worker_health=False,
                                    initial_delay=0.05, max_delay=0.2)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for s, handler in handlers.items():
            signal.signal(s, handler)
        HUEY.storage.close()
        HUEY.storage_kwargs.clear()
        HUEY.storage_kwargs.update(kwargs)
        HUEY.immediate = True


@pytest.fixture(scope="session")
def _file_demo_template(django_db_setup, django_db_blocker, tmp_path_factory):
    """The session's test database (the demo, committed) copied once into a
    SQLite file, the template of every `file_demo`."""
    from django.db import connection

    from tests.file_database import copy_database

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file harness copies the SQLite test database; on PostgreSQL the thread "
                    "versions of these races run (postgres_only)")
    path = tmp_path_factory.mktemp("file-demo") / "demo.sqlite3"
    with django_db_blocker.unblock():
        assert Pairing.objects.filter(level="county").exists(), "the demo is missing (copied after a flush?)"
        copy_database(connection, path)
    return path


@pytest.fixture
def file_demo(_file_demo_template, db, tmp_path):
    """The demo in a SQLite file of this test's own, on which scripts run in
    child processes and race (tests/file_database.py). Asking for `db` puts
    these tests among the ordinary database tests, which pytest-django runs
    before the transactional ones (whose flush empties the database)."""
    from tests.file_database import FileDatabase

    return FileDatabase(_file_demo_template, tmp_path)
