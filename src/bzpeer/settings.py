"""One settings module, driven by environment variables that fail loudly."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from bzpeer.home import SECRET_FILE, home_dir, read_secret

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = home_dir(os.environ)
VAR_DIR = PROJECT_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number of at least ``minimum``; ``default`` when unset."""
    value = os.environ.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {value!r}"
        )
    return int(value)


DEBUG = env_bool("BZPEER_DEBUG", False)
# Sessions, password-reset links and e-mail confirmations are signed with this:
# from BZPEER_SECRET_KEY, else var/secret_key (`bzpeer init`, run by `make run`,
# writes a random one). Without either the site refuses to start; only a
# DEBUG run falls back to a key that lives as long as the process.
SECRET_KEY = os.environ.get("BZPEER_SECRET_KEY", "").strip() or read_secret(VAR_DIR)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"No secret key: set BZPEER_SECRET_KEY or run `bzpeer init`, which writes a random "
            f"one to {VAR_DIR / SECRET_FILE}."
        )
    import secrets

    SECRET_KEY = secrets.token_urlsafe(50)
ALLOWED_HOSTS = env_list("BZPEER_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # its templates, for /sitemap.xml (exports.sitemaps)
    "bzpeer.web",  # first: its templates dress allauth's pages in the site's layout
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "ninja",  # its API docs page from local static files, never a CDN
    "django_tasks",
    "django_tasks_db",
    "bzpeer.catalog",
    "bzpeer.ingest",
    "bzpeer.social",
    "bzpeer.trust",
    "bzpeer.claims",
    "bzpeer.search",
    "bzpeer.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bzpeer.web.security.ContentSecurityPolicyMiddleware",
    "bzpeer.api.errors.JsonErrorsMiddleware",
    "bzpeer.api.cors.OpenReadsMiddleware",
    "bzpeer.web.security.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bzpeer.urls"
WSGI_APPLICATION = "bzpeer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bzpeer.social.context.unread_count",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=60)
        except Exception as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("TEST", {"NAME": f"test_{config['NAME']}"})
        return dict(config)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BZPEER_SQLITE", str(VAR_DIR / "bzpeer.sqlite3")),
        # A connection kept across requests keeps its page cache (64 MB) warm
        # and skips the PRAGMAs: 5.8 -> 5.4 ms CPU a request on the load mix.
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}

# A Dask scheduler for `bzpeer import` and `bzpeer resolve` (bzpeer.cluster;
# the [cluster] extra), e.g. tcp://10.0.0.5:8786; empty: this machine alone.
BZPEER_CLUSTER = env_str("BZPEER_CLUSTER")

# PostgreSQL's client programs for `bzpeer backup` / `restore` (else Debian's
# /usr/lib/postgresql/*/bin, then PATH).
BZPEER_PG_BIN = env_str("PG_BIN")

# One cache for every web worker, in the database they share: allauth counts
# failed logins and sign-ups there, and a per-process cache would give each
# of N workers its own count (N times the attempts). ``bzpeer migrate``
# creates the table.
# It also keeps the busiest records' summaries and graph slices
# (``catalog.revision``): room for many more than the 300 entries Django
# keeps by default before it culls a third.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "bzpeer_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("BZPEER_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "alerts"],  # alerts: e-mail, never behind a long import
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts (django-allauth): sign-in by email, which must be verified; a
# verified email is what makes an account count in trust (docs/trust.md).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/m/ip"}
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True  # confirming an address signs you in
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
DEFAULT_FROM_EMAIL = os.environ.get("BZPEER_FROM_EMAIL", "BZPEER <noreply@localhost>")
EMAIL_BACKEND = os.environ.get(
    "BZPEER_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")  # outgoing mail lands here unless a backend is set
# ORCID sign-in (allauth's ORCID provider, the public API's /authenticate
# scope). The provider is offered only when BZPEER_ORCID_CLIENT_ID is set;
# BZPEER_ORCID_SANDBOX=true talks to sandbox.orcid.org instead of orcid.org.
# An ORCID sign-in proves the iD, not an e-mail address: it signs in at once,
# needs no address, and never joins an existing account by its address.
ORCID_CLIENT_ID = env_str("BZPEER_ORCID_CLIENT_ID")
ORCID_SANDBOX = env_bool("BZPEER_ORCID_SANDBOX", False)
ORCID_DOMAIN = "sandbox.orcid.org" if ORCID_SANDBOX else "orcid.org"
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {
    "orcid": {"BASE_DOMAIN": ORCID_DOMAIN, "MEMBER_API": False, "SCOPE": ["/authenticate"]}
}
if ORCID_CLIENT_ID:
    if not env_str("BZPEER_ORCID_SECRET"):
        raise ImproperlyConfigured("BZPEER_ORCID_CLIENT_ID is set: set BZPEER_ORCID_SECRET too.")
    SOCIALACCOUNT_PROVIDERS["orcid"]["APPS"] = [
        {"client_id": ORCID_CLIENT_ID, "secret": env_str("BZPEER_ORCID_SECRET"), "name": "ORCID"}
    ]
SOCIALACCOUNT_ADAPTER = "bzpeer.web.accounts.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "optional"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# Importing (bzpeer.ingest). Records per transaction, and per checkpoint. 2,500:
# the parse windows in flight (AHEAD x WINDOW records, ingest/parsers.py) then
# cover a whole batch, so the parsers keep working while the writer commits
# (writer busy 80 -> 86 % of the listings' import), and the writer's heap peaks
# lower (1M synthetic works: 343 -> 310 MB with 5,000 -> 2,500).
BZPEER_IMPORT_BATCH = env_int("BZPEER_IMPORT_BATCH", 2500, minimum=1)
# Parser processes beside the importing one: one per core, at most 4; 0 parses
# in the importing process.
BZPEER_IMPORT_WORKERS = env_int("BZPEER_IMPORT_WORKERS", min(os.cpu_count() or 1, 4))
# Live sources (bzpeer.ingest.http): the contact address sent with every
# request, and API keys; none is ever logged.
BZPEER_CONTACT_EMAIL = env_str("BZPEER_CONTACT_EMAIL")
OPENALEX_API_KEY = env_str("OPENALEX_API_KEY")
S2_API_KEY = env_str("S2_API_KEY")
CROSSREF_PLUS = env_str("CROSSREF_PLUS")

# Claims of author records one account may make in 24 hours (bzpeer.claims).
BZPEER_CLAIMS_PER_DAY = env_int("BZPEER_CLAIMS_PER_DAY", 5, minimum=1)

# Following, alerts, invitations and conversations (bzpeer.social, docs/social.md).
# The site's address as links in e-mails give it (alerts, unsubscribe).
BZPEER_SITE_URL = env_str("BZPEER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
BZPEER_INVITES_PER_DAY = env_int("BZPEER_INVITES_PER_DAY", 10, minimum=1)
BZPEER_MESSAGES_PER_MINUTE = env_int("BZPEER_MESSAGES_PER_MINUTE", 10, minimum=1)
BZPEER_REPORTS_PER_DAY = env_int("BZPEER_REPORTS_PER_DAY", 20, minimum=1)
# After a decline, the same sender may not invite the same person for this long.
BZPEER_REINVITE_DAYS = env_int("BZPEER_REINVITE_DAYS", 90, minimum=1)
# Conflict of interest: co-authorship within this many years counts.
BZPEER_COI_YEARS = env_int("BZPEER_COI_YEARS", 3, minimum=1)

# `bzpeer serve`: gunicorn's address and worker processes (the command line's
# --bind and --workers win).
BZPEER_BIND = env_str("BZPEER_BIND", "127.0.0.1:8000")
BZPEER_WORKERS = env_int("BZPEER_WORKERS", 2, minimum=1)

# Processes that share author resolution's learned stage (bzpeer.resolve.clustering):
# by default the machine's cores, at most 4; 1 keeps it in the resolving process.
BZPEER_RESOLVE_WORKERS = env_int("BZPEER_RESOLVE_WORKERS", min(os.cpu_count() or 1, 4), minimum=1)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # serve app static files even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over TLS (directly or behind a proxy that sets X-Forwarded-Proto):
# secure cookies, HTTPS redirects and a year of HSTS.
TLS = env_bool("BZPEER_TLS", False)
if TLS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("BZPEER_HSTS_PRELOAD", True)
if env_bool("BZPEER_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BZPEER_LOG_LEVEL", "WARNING")},
}
