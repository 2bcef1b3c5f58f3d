"""One settings module for every deployment, read from the environment.

Defaults suit a laptop: SQLite under var/, DEBUG on only when asked for.
Production sets DEBUG=0 (the default), SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and XIEZUO_PII_KEY.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XIEZUO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _dev_key(filename):
    """Return a key kept in var/, made on first run, for development only.

    A laptop install must work without configuration, but a key that changes
    on every start would make encrypted personal data unreadable, so the key
    is written once and reused.
    """
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_key("secret_key.txt")
# Personal data (身份证号, phone) is encrypted with this key and searched
# through a keyed hash derived from it. Losing it loses the data.
PII_KEY = os.environ.get("XIEZUO_PII_KEY") or _dev_key("pii_key.txt")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "xiezuo.accounts",
    "xiezuo.audit",
    "xiezuo.pairings",
    "xiezuo.funds",
    "xiezuo.procurement",
    "xiezuo.consumption",
    "xiezuo.labour",
    "xiezuo.industry",
    "xiezuo.ledgers",
    "xiezuo.assessment",
    "xiezuo.downloads",
    "xiezuo.crosscheck",
    "xiezuo.library",
    "xiezuo.rectification",
    "xiezuo.assets",
    "xiezuo.notices",
    "xiezuo.front",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xiezuo.front.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xiezuo.front.middleware.BadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xiezuo.front.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xiezuo.accounts.middleware.PasswordChangeRequiredMiddleware",
    "xiezuo.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xiezuo.urls"
WSGI_APPLICATION = "xiezuo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xiezuo.front.context.nav",
            ],
        },
    },
]

_sqlite_path = VAR_DIR / "xiezuo.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_sqlite_path}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE transactions
    # take the write lock up front so two writers queue instead of failing
    # half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (big ledger previews and imports) runs on a job queue
# (huey), in worker processes of its own (`manage.py run_huey`), never in the
# web process: a restart of the web server does not kill an import, and a
# worker that dies is seen as dead by its job's heartbeat
# (xiezuo/ledgers/jobs.py). With no XIEZUO_QUEUE_URL the queue is a SQLite
# file beside the database, so a laptop needs no server; a province server
# sets XIEZUO_QUEUE_URL=redis://… . XIEZUO_QUEUE_IMMEDIATE=1 runs every task
# inside the caller instead (one process, no worker: only for tests and
# debugging).
XIEZUO_QUEUE_URL = os.environ.get("XIEZUO_QUEUE_URL", "")
HUEY = {
    "name": os.environ.get("XIEZUO_QUEUE_NAME", "xiezuo"),
    "immediate": env_bool("XIEZUO_QUEUE_IMMEDIATE", False),  # djhuey would follow DEBUG otherwise
    "results": False,  # a job keeps its own result on ImportJob
    "consumer": {"workers": int(os.environ.get("XIEZUO_QUEUE_WORKERS", "2")), "worker_type": "process"},
}
if XIEZUO_QUEUE_URL.startswith(("redis://", "rediss://", "unix://")):
    HUEY.update(huey_class="huey.RedisHuey", url=XIEZUO_QUEUE_URL)
elif XIEZUO_QUEUE_URL:
    raise ImproperlyConfigured("XIEZUO_QUEUE_URL must be a redis:// URL, or empty for the SQLite queue file")
else:
    HUEY.update(huey_class="huey.SqliteHuey",
                filename=os.environ.get("XIEZUO_QUEUE_FILE", str(VAR_DIR / "queue.sqlite3")))

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "xiezuo.accounts.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# The password policy (等保2.0 identity checks): at least 10 characters from
# at least three of lower/upper/digit/other, not like the user's own names,
# not a common password. Django's messages come in Chinese from its own
# translation, ours (length included: Django 5.2 lacks its Chinese) from
# locale/.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "xiezuo.accounts.validators.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "xiezuo.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins lock the account (per user name) for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# Offices sit behind one NAT address: locking by IP would lock out a whole
# county office after one colleague's typos, so the lock is per account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Uploaded ledger files (they may hold personal data) of a job left
# unfinished are deleted after this many hours (xiezuo/ledgers/retention.py).
XIEZUO_UPLOAD_RETENTION_HOURS = float(os.environ.get("XIEZUO_UPLOAD_RETENTION_HOURS", "24"))

# Addresses of our own reverse proxies (IPs or CIDRs, comma-separated). Only
# a request arriving from one of them may name the client's address in
# X-Real-IP / X-Forwarded-For for the audit trail; anyone else could forge
# those headers. Empty: the trail records REMOTE_ADDR.
XIEZUO_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("XIEZUO_TRUSTED_PROXIES", "").split(",") if p.strip()
]

# Sessions end after two idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Production runs collectstatic and sets this; development and the
            # tests serve the files straight from their folders.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("XIEZUO_MANIFEST_STATIC", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("XIEZUO_MANIFEST_STATIC", False)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: Excel ledgers and project photos. Larger files are refused before
# they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
XIEZUO_MAX_UPLOAD_BYTES = int(os.environ.get("XIEZUO_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))

# Security headers. Production is served over HTTPS behind nginx.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Identifiers of open data exports.
XIEZUO_OCID_PREFIX = os.environ.get("XIEZUO_OCID_PREFIX", "ocds-xiezuo")
# The IATI reporting organisation (the publisher of the deployment's IATI
# files): its identifier, e.g. CN-USCI- followed by the office's 统一社会信用代码,
# its name, and its IATI OrganisationType (11: local government). Without ref
# and name the IATI export answers 409 rather than invent an identifier.
XIEZUO_REPORTING_ORG_REF = os.environ.get("XIEZUO_REPORTING_ORG_REF", "")
XIEZUO_REPORTING_ORG_NAME = os.environ.get("XIEZUO_REPORTING_ORG_NAME", "")
XIEZUO_REPORTING_ORG_TYPE = os.environ.get("XIEZUO_REPORTING_ORG_TYPE", "11")

# Funds: allocations above the year's receipts are refused, unless the office
# carries funds over from earlier years (then they are warned instead).
XIEZUO_FUNDS_ALLOW_CARRYOVER = env_bool("XIEZUO_FUNDS_ALLOW_CARRYOVER", False)
# The base of the funds execution rate (资金支出进度): "received_cash" (the
# default: 捐物折款 funds no project) or "received" (every receipt, as before).
XIEZUO_FUNDS_EXECUTION_BASE = os.environ.get("XIEZUO_FUNDS_EXECUTION_BASE", "received_cash")
if XIEZUO_FUNDS_EXECUTION_BASE not in ("received_cash", "received"):
    raise ImproperlyConfigured("XIEZUO_FUNDS_EXECUTION_BASE must be received_cash or received")
# The last day (MM-DD) for budget units to declare the year's 832 reserved
# share; later declarations are flagged as late (docs/modules/rules.md).
XIEZUO_SHARE832_DECLARE_BY = os.environ.get("XIEZUO_SHARE832_DECLARE_BY", "02-20")
try:
    datetime.date(2000, *(int(x) for x in XIEZUO_SHARE832_DECLARE_BY.split("-")))
except (TypeError, ValueError):
    raise ImproperlyConfigured("XIEZUO_SHARE832_DECLARE_BY must be a day of the year as MM-DD, e.g. 02-20") from None
XIEZUO_FUNDS_MAX_ATTACHMENT_BYTES = int(os.environ.get("XIEZUO_FUNDS_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))

# Assistance workshops (帮扶车间, docs/modules/rules.md "Workshops"): a workshop
# counts in a month when at least this many of its workers are 脱贫人口
# (including 防止返贫监测对象) — 5 in the recognition conditions found; and in a
# year when it counted in at least this many months (our judgement).
XIEZUO_WORKSHOP_MIN_POVERTY_WORKERS = int(os.environ.get("XIEZUO_WORKSHOP_MIN_POVERTY_WORKERS", "5"))
XIEZUO_WORKSHOP_MIN_MONTHS = int(os.environ.get("XIEZUO_WORKSHOP_MIN_MONTHS", "1"))
