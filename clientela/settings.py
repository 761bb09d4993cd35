"""Clientela settings: one file, driven by environment variables (see docs/configuration.md)."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLIENTELA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else a key generated once and kept in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# PDFs are drawn in a process of their own (clientela.core.pdf); 1: in the worker, where fork is missing.
PDF_IN_PROCESS = os.environ.get("CLIENTELA_PDF_IN_PROCESS") == "1"

INSTALLED_APPS = [
    # Clientela first: its translations and templates take precedence over the libraries'.
    # In dependency order (the demo loader follows this order).
    "clientela.core",
    "clientela.accounts",
    "clientela.customers",
    "clientela.privacy",
    "clientela.action_plans",
    "clientela.feedback",
    "clientela.contracts",
    "clientela.requirements",
    "clientela.surveys",
    "clientela.loyalty",
    "clientela.training",
    "clientela.indicators",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_countries",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "clientela.core.middleware.RequestIdMiddleware",
    "clientela.core.middleware.BadNumberMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientela.accounts.middleware.UserLanguageMiddleware",
    "clientela.accounts.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientela.urls"
WSGI_APPLICATION = "clientela.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clientela" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clientela.core.context_processors.shell",
            ],
            "builtins": ["clientela.core.templatetags.clientela"],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'clientela.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction, so concurrent writers queue instead of failing half-way. The page
        # cache is 8 MB per connection and sorts spill to temporary files: the system's file cache
        # keeps both in memory anyway, while a 32 MB cache and in-memory sorts, filled by a report's
        # scans, stayed in every worker (issue #9: at most 150 MB per worker).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=15000; PRAGMA cache_size=-8000; PRAGMA temp_store=FILE;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 15,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every process: throttles, rate limits, import progress) -----------------
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# --- Background tasks --------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Failed-login throttling: five failures lock the username for 15 minutes (per user and IP).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# API tokens expire after this many days (0: never); rotate them with POST /api/v1/auth/token/rotate/.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))

# Two-step sign-in (TOTP): optional for everyone; required for these roles when TWO_FACTOR_REQUIRED=1.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED")
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", "admin,management")

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 10)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Submitting the domain to browsers' HSTS preload list is a commitment each installation makes itself
# (SECURE_HSTS_PRELOAD=1); it is not a defect of an installation that has not.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy: everything is served from this origin; no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "clientela_language"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "clientela" / "locale"]
USE_TZ = True
COUNTRIES_FIRST = ["ES", "MX", "AR", "CO", "CL", "PE", "US"]
COUNTRIES_FIRST_BREAK = "──────────"

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "clientela" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_MB", "20")) * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------------------
# Django 6.1 mailers: SMTP when EMAIL_HOST is set; otherwise each e-mail is written as a file in
# var/mail/ (so the console of `make run` stays readable), or goes to EMAIL_BACKEND if that is set.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
                "use_ssl": env_bool("EMAIL_USE_SSL"),
                "timeout": 20,
            },
        }
    }
elif os.environ.get("EMAIL_BACKEND"):
    MAILERS = {"default": {"BACKEND": os.environ["EMAIL_BACKEND"]}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clientela <clientela@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clientela.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clientela.core.api_base.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "clientela.core.api_base.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "clientela.core.api_base.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clientela.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min", "public": "30/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clientela API",
    "DESCRIPTION": "API v1 de Clientela (gestión del cliente ISO 9001, PSC 004).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/core/favicon.svg",
    # One name per choice set shared by several fields, instead of generated suffixes.
    "ENUM_NAME_OVERRIDES": {
        "ConfirmationMethodEnum": "clientela.requirements.models.ConfirmationMethod",
        "RequirementKindEnum": "clientela.requirements.models.Kind",
        "RequirementSourceEnum": "clientela.requirements.models.Source",
        "RequirementStatusEnum": "clientela.requirements.models.Status",
        "EffectivenessResultEnum": "clientela.action_plans.models.ActionPlan.Result",
        "InteractionChannelEnum": "clientela.customers.models.Interaction.Channel",
        "InvitationOriginEnum": "clientela.surveys.models.SurveyInvitation.Origin",
        "InvitationStatusEnum": "clientela.surveys.models.SurveyInvitation.Status",
        "FollowUpStatusEnum": "clientela.surveys.models.FollowUp.Status",
        "CompetenceLevelEnum": "clientela.training.models.Level",
    },
    "DISABLE_ERRORS_AND_WARNINGS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clientela.core.api.readonly_enums_may_be_blank",
    ],
}

# --- Clientela ----------------------------------------------------------------------------------
CLIENTELA_DEMO_SEED = int(os.environ.get("DEMO_SEED", "2026"))
# Years business records are kept before disposal (Spanish Código de Comercio art. 30: six).
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "6"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "clientela.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "clientela.core.middleware.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
