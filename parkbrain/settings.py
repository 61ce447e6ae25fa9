"""Django settings. Everything that differs between machines comes from PARKBRAIN_* variables."""

import base64
import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PARKBRAIN_VAR_DIR") or BASE_DIR.parent / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept under var/."""
    if key := os.environ.get("PARKBRAIN_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_flag("PARKBRAIN_DEBUG")
ALLOWED_HOSTS = (os.environ.get("PARKBRAIN_ALLOWED_HOSTS") or "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("PARKBRAIN_CSRF_TRUSTED_ORIGINS", "").split(",") if origin
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
    "django_filters",
    "django_htmx",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "parkbrain.core",
    "parkbrain.jobs",
    "parkbrain.registry",
    "parkbrain.notifications",
    "parkbrain.reporting",
    "parkbrain.cockpit",
    "parkbrain.evaluation",
    "parkbrain.monitoring",
    "parkbrain.trace",
    "parkbrain.mes",
    "parkbrain.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parkbrain.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parkbrain.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parkbrain.registry.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parkbrain.urls"
WSGI_APPLICATION = "parkbrain.wsgi.application"

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
                "parkbrain.registry.context_processors.zone",
                "parkbrain.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("PARKBRAIN_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'parkbrain.sqlite3'}",
        conn_max_age=int(os.environ.get("PARKBRAIN_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer commits; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # Reads map the file instead of copying pages through a 2 MB cache: the cockpit's
        # scattered reads over millions of values are twice as fast (bench/cockpit.py).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32768;"
        ),
    }
    # Tests use a database file too (in memory where /dev/shm is), not Django's shared-cache
    # in-memory database: there concurrent writers fail with "table is locked" instead of
    # taking turns as they do in production, and concurrency tests could not run.
    _test_dir = Path("/dev/shm") if Path("/dev/shm").is_dir() else VAR_DIR
    DATABASES["default"]["TEST"] = {"NAME": str(_test_dir / f"parkbrain-test-{os.getpid()}.db")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force lock-out (parkbrain.core.lockout): five failures for one user name from one
# address lock that pair; twenty from one address, whatever the user names, lock the address.
AXES_HANDLER = "parkbrain.core.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("PARKBRAIN_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("PARKBRAIN_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
if LOGIN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "PARKBRAIN_LOGIN_ADDRESS_FAILURE_LIMIT must not be below PARKBRAIN_LOGIN_FAILURE_LIMIT"
    )
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# The client's address is REMOTE_ADDR, or behind reverse proxies the request.META key of the
# header they write it to (HTTP_X_FORWARDED_FOR, HTTP_X_REAL_IP), read by django-ipware.
# Set it only when every request comes through the proxies: a client reaching the server
# directly could write the header itself.
PROXY_CLIENT_IP_HEADER = os.environ.get("PARKBRAIN_PROXY_CLIENT_IP_HEADER", "").strip()
PROXY_COUNT = int(os.environ.get("PARKBRAIN_PROXY_COUNT") or "1")
if PROXY_CLIENT_IP_HEADER and not PROXY_CLIENT_IP_HEADER.startswith("HTTP_"):
    raise ImproperlyConfigured(
        "PARKBRAIN_PROXY_CLIENT_IP_HEADER is a request.META key such as HTTP_X_FORWARDED_FOR"
    )
if PROXY_COUNT < 1:
    raise ImproperlyConfigured("PARKBRAIN_PROXY_COUNT counts the proxies: 1 or more")
AXES_IPWARE_META_PRECEDENCE_ORDER = (PROXY_CLIENT_IP_HEADER or "REMOTE_ADDR",)
# ipware counts the proxies listed after the client; the one nearest us is REMOTE_ADDR, not
# listed. It takes the entry that many places from the right, the one our proxies wrote.
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_CLIENT_IP_HEADER else None
# Not strict: entries a client sent itself come first, and a strict chain would refuse the
# whole header rather than skip them.
IPWARE_STRICT = False

# The namespace of the MES's EPCIS extension fields. It is part of every MES event's hash:
# a zone sets its own (ending in "/") before plants send data, and never changes it after.
MES_NAMESPACE = os.environ.get("PARKBRAIN_MES_NAMESPACE") or "https://parkbrain.invalid/ns/mes/"
if not MES_NAMESPACE.startswith(("https://", "http://")) or not MES_NAMESPACE.endswith("/"):
    raise ImproperlyConfigured("PARKBRAIN_MES_NAMESPACE must be an http(s) URL ending in '/'")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = _env_flag("PARKBRAIN_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Over HTTPS, browsers keep to HTTPS for a year. Not for subdomains: other hosts of a zone's
# domain may still be served over plain HTTP.
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if SESSION_COOKIE_SECURE else 0

# Pages run only their own static scripts: data reaches them in <script type="application/json">
# islands. The inline event handlers the templates still have are allowed by their hashes, each
# this exact text and nothing else, until they move into the static scripts. Styles may be
# inline: ECharts writes style attributes into its tooltips and htmx adds a <style> element.
CSP_INLINE_EVENT_HANDLERS = (
    "this.form.submit()",
    "return confirm(this.dataset.question)",
    "return window.confirm(this.dataset.confirm)",
    "for (const c of document.querySelectorAll('input[form=acknowledge-selected]')) "
    "c.checked = this.checked",
)
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": [
        "'self'",
        "'unsafe-hashes'",
        *(
            f"'sha256-{base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()}'"
            for handler in CSP_INLINE_EVENT_HANDLERS
        ),
    ],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["parkbrain.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# `parkbrain collectstatic` writes each file under a name with its hash, with a gzip copy;
# whitenoise serves those compressed and, the name changing with the content, cached for ten
# years. DEBUG pages name and serve the package's own files. So do test runs (pytest sets
# PYTEST_VERSION): pytest-django's live server serves the package's folders, and a test must
# not depend on what was last collected into var/.
TESTING = "PYTEST_VERSION" in os.environ
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

# The cockpit's figures and pages (parkbrain/cockpit/cache.py) in each worker's own memory, at
# most this many entries: on the demo zone about 15 KB of figures or 30 KB of page each, so
# some 6 MB a worker when full. Nothing to run beside the server, and a hit is an unpickling.
FIGURES_CACHE_ENTRIES = int(os.environ.get("PARKBRAIN_FIGURES_CACHE_ENTRIES") or "200")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "TIMEOUT": None,  # a write changes the key, not the entry
        "OPTIONS": {"MAX_ENTRIES": FIGURES_CACHE_ENTRIES},
    },
}

# Work longer than a request is queued in the database itself and run by `parkbrain
# db_worker`, which `make run` starts beside the web server (parkbrain.jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

NINJA_PAGINATION_CLASS = "parkbrain.core.api.PageNumberPagination"
NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARKBRAIN_LOG_LEVEL", "WARNING")},
}
