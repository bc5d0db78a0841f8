"""Settings for Zhanggui. Everything that differs between machines comes from the environment.

DATABASE_URL     sqlite:///var/db.sqlite3 (default) or postgres://user:pass@host/db
REDIS_URL        enables the Redis cache and the Redis (RQ) task backend for multi-machine workers
SECRET_KEY, DEBUG, ALLOWED_HOSTS, TIME_ZONE, LANGUAGE_CODE, TRUSTED_PROXIES, CSRF_TRUSTED_ORIGINS
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # A per-machine key kept under var/ so a local `make run` needs no configuration.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Proxies whose X-Forwarded-For we believe; without one the client address is REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "template_partials",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "captcha",
    "core",
    "org",
    "customers",
    "products",
    "sales",
    "marketing",
    "contracts",
    "targets",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "org.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    "org.middleware.SecurityPolicyMiddleware",
]

AUTHENTICATION_BACKENDS = ["org.backends.UserBackend"]  # the model backend, department included

ROOT_URLCONF = "zhanggui.urls"
WSGI_APPLICATION = "zhanggui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("DB_PREPARED_STATEMENTS", True):
        # Parameters are bound by the server. Statements are not prepared (Django's default, said here on
        # purpose): a prepared statement soon gets PostgreSQL's generic plan, which cannot see a search
        # term, and at a million customers the name search went from 42 to 297 ms and the phone search
        # from 125 to 1,164 ms with psycopg's preparation on. DB_PREPARED_STATEMENTS=0 binds on the client.
        _options.update(server_side_binding=True, prepare_threshold=None)
    if not env_bool("DB_JIT", False):
        # No JIT compilation. It starts on the planner's cost estimate alone, and an estimate swollen by
        # long key lists (an import's duplicate lookups: 150 ms compiling a statement that runs in 10)
        # costs more than the short, index-driven statements of a CRM ever gain. DB_JIT=1 allows it.
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: the database backend needs no other service; set REDIS_URL (and
# TASKS_BACKEND=rq) to spread workers over several machines.
if os.environ.get("TASKS_BACKEND", "db") == "rq" and REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif os.environ.get("TASKS_BACKEND") == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Minimum length comes from the company's security policy (org.SecurityPolicy).
    {"NAME": "org.security.PolicyMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "org:login"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_TIMEOUT_MINUTES", "120")) * 60
SESSION_ENGINE = "org.sessions"  # database sessions, read through a statement compiled once
SESSION_SAVE_EVERY_REQUEST = False  # org.middleware.SessionRefreshMiddleware: from the last request, by the minute
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers grouped by thousands in Chinese too (Django's zh_Hans groups nothing): zhanggui/formats.
FORMAT_MODULE_PATH = ["zhanggui.formats"]
# models.W040: covering indexes (INCLUDE) are a PostgreSQL optimisation; SQLite builds the same index on
# its key columns, which is what it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Only the built files of the pinned npm packages are served (not all of node_modules).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/tabler/css", NODE_MODULES / "@tabler/core/dist/css"),
    ("vendor/tabler/js", NODE_MODULES / "@tabler/core/dist/js"),
    ("vendor/tabler/img", NODE_MODULES / "@tabler/core/dist/img"),
    ("vendor/icons", NODE_MODULES / "@tabler/icons-sprite/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
    ("vendor/echarts", NODE_MODULES / "echarts/dist"),
    # tom-select ships inside @tabler/core (dist/libs), pinned with it.
    ("vendor/tom-select", NODE_MODULES / "@tabler/core/dist/libs/tom-select/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or env_bool("SIMPLE_STATIC", False):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhanggui CRM API",
    "DESCRIPTION": "掌柜 CRM open REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

CAPTCHA_IMAGE_SIZE = (110, 38)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_LENGTH = 4
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"
if env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

APP_NAME = _("Zhanggui CRM")
