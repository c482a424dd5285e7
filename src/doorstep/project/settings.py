"""Django settings for Doorstep, read from the environment.

See the "Configuration" section of the README for every variable. Nothing here needs
editing to install Doorstep: a company sets environment variables instead.
"""

from __future__ import annotations

import os

import dj_database_url

from doorstep.project.csp import content_security_policy
from doorstep.project.env import data_dir, env_bool, env_int, env_list, env_str, secret_key

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "doorstep.project",
    "doorstep.users.apps.BackOfficeConfig",  # Django's admin behind the portal's sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "doorstep.portal",  # before allauth, so the portal's layout wraps allauth's sign-in pages
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django_tasks_db",
    "crontask",
    "phonenumber_field",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "doorstep.core",
    "doorstep.users",
    "doorstep.customers",
    "doorstep.workforce",
    "doorstep.catalog",
    "doorstep.scheduling",
    "doorstep.configuration",
    "doorstep.notifications",
    "doorstep.access",
    "doorstep.tracking",
    "doorstep.webhooks",
    "doorstep.history",
    "doorstep.plans",
    "doorstep.api",
    "doorstep.technician",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before CommonMiddleware, to see the redirects it makes (`/t/<code>` to `/t/<code>/`).
    "doorstep.portal.headers.PrivateAnswersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "doorstep.portal.language.LanguageMiddleware",  # reads the sign-in
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "doorstep.project.urls"
# Threads that run Django's views under `doorstep serve`: requests beyond this wait.
DOORSTEP_HTTP_THREADS = env_int("DOORSTEP_HTTP_THREADS", 8)
# Of those, how many run Django at once (project/running_places.py): the cores, at least 2.
DOORSTEP_HTTP_RUNNING = env_int("DOORSTEP_HTTP_RUNNING", max(2, os.cpu_count() or 1))
ASGI_APPLICATION = "doorstep.project.asgi.application"
WSGI_APPLICATION = "doorstep.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",  # the nonce, as `csp_nonce`
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "doorstep.portal.context_processors.branding",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# The embedded default is an SQLite file in WAL mode, so the web server, the task
# worker and the scheduler can share it; IMMEDIATE transactions take the write lock up
# front instead of failing halfway through with "database is locked".
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'doorstep.sqlite3'}"
# Connections are kept by the threads that opened them (the web server's pool, the
# worker, the scheduler) and checked before reuse after an error: opening one costs
# more than most of the queries a request makes.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DOORSTEP_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and live channel layer (optional) ---------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES: dict[str, dict[str, object]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "doorstep.core.channel_layer.RedisChannelLayer",
            "CONFIG": {
                # A receive waits in Redis up to 5 s for a message, and redis-py gave up on
                # any read after 5 s, dropping quiet sockets: reads wait 15 s. A crowd
                # leaving at once waits for one of 64 connections instead of failing and
                # leaving dead subscriptions. All the viewers of a process share one queue
                # in Redis: 100 messages (the default) lost updates in a burst of pings.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "max_connections": 64}],
                "channel_capacity": {"specific.*": 2000},
                "prefix": "doorstep",
            },
        }
    }
    # With Redis, only one scheduler at a time enqueues periodic tasks, however many
    # `doorstep serve` processes run.
    CRONTASK = {"REDIS_URL": REDIS_URL}
else:
    # Room for the portal's cached fragments beside the rate limits' counters (not 300).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "doorstep.core.channel_layer.SweepingInMemoryChannelLayer"}
    }

# --- Background tasks -----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Users and passwords ----------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's and allauth's, loading the contact or technician with the user (users.backends).
AUTHENTICATION_BACKENDS = [
    "doorstep.users.backends.ModelBackend",
    "doorstep.users.backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

# --- Sign-in (django-allauth) -------------------------------------------------------------
# Customers arrive by invitation, which proves their address: no open sign-up. Only a
# proved address signs in: the one the office typed or the invitation reached, or one
# added later once the code sent to it is typed back. Until then the new address lives in
# the session only, so it can neither be used to sign in nor block its real owner.
ACCOUNT_ADAPTER = "doorstep.portal.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "doorstep.portal.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True  # one address per sign-in; a new one replaces it once proved
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None  # the customer chooses with "Remember me"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A code by email signs a customer in without their password: the way through while
# their address is paused after wrong passwords (the code's mailbox is the proof).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_FORMS = {"login": "doorstep.portal.adapters.LoginForm"}
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins per address and per network address; allauth answers with a
    # clear "too many failed attempts" message instead of checking the password, and
    # the page offers a sign-in code by email instead.
    "login_failed": "5/5m/key,20/5m/ip",
    # A browser this sign-in succeeded on keeps its own allowance, so a stranger's
    # guesses never lock the customer's own phone out (doorstep.portal.adapters).
    "login_failed_known_device": "5/5m/key",
    "reset_password": "5/h/ip,3/h/key",
    # Invitation codes tried, per network address and per code.
    "redeem_invitation": "20/10m/ip,10/10m/key",
}
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
for _provider, _prefix in (("google", "GOOGLE"), ("microsoft", "MICROSOFT")):
    if env_str(f"{_prefix}_CLIENT_ID"):
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [
                {
                    "client_id": env_str(f"{_prefix}_CLIENT_ID"),
                    "secret": env_str(f"{_prefix}_CLIENT_SECRET"),
                    **(
                        {"settings": {"tenant": env_str("MICROSOFT_TENANT", "organizations")}}
                        if _provider == "microsoft"
                        else {}
                    ),
                }
            ],
            "SCOPE": ["openid", "email", "profile"] if _provider == "google" else ["User.Read"],
        }
if env_str("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "oidc"),
                "name": env_str("OIDC_NAME", "Single sign-on"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ]
    }
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ADAPTER = "doorstep.portal.adapters.MFAAdapter"
# Who must have a second factor (an authenticator app or a security key) before any
# back-office page opens: "superusers", "staff" (everyone in the back office) or "off".
DOORSTEP_STAFF_REQUIRE_MFA = env_str("DOORSTEP_STAFF_REQUIRE_MFA", "superusers").lower()
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("DOORSTEP_MFA_ISSUER", "Doorstep")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Static files, uploads and private files; language and time ------------------------
# The storages, the upload limits and the service history's: doorstep/project/file_settings.py.
# Languages, time zones, phone numbers: doorstep/project/language_settings.py.
from doorstep.project.file_settings import *  # noqa: E402, F403
from doorstep.project.language_settings import *  # noqa: E402, F403

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND_NAMES = {
    "console": "doorstep.notifications.email_backends.ConsoleBackend",  # codes hidden
    "file": "django.core.mail.backends.filebased.EmailBackend",
    # Django's, telling the sender when a message is about to be complete (crash safety).
    "smtp": "doorstep.notifications.email_backends.SmtpBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
# A short name above, or the dotted path of any backend, such as an anymail provider:
# anymail.backends.mailgun.EmailBackend.
_email_backend = env_str("EMAIL_BACKEND", "console")
_email_backend = EMAIL_BACKEND_NAMES.get(_email_backend, _email_backend)
_email_options: dict[str, object] = {}
if _email_backend == EMAIL_BACKEND_NAMES["file"]:
    _email_options = {"file_path": env_str("EMAIL_FILE_PATH") or str(DATA_DIR / "outbox" / "email")}
elif _email_backend == EMAIL_BACKEND_NAMES["smtp"]:
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 0) or None,
        "username": env_str("EMAIL_HOST_USER") or None,
        "password": env_str("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "use_ssl": env_bool("EMAIL_USE_SSL"),
        "timeout": env_int("EMAIL_TIMEOUT", 30),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Doorstep <no-reply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL") or DEFAULT_FROM_EMAIL
# Provider settings for django-anymail: ANYMAIL_MAILGUN_API_KEY=… becomes
# ANYMAIL["MAILGUN_API_KEY"], and so on for any provider anymail supports.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}

# --- SMS ------------------------------------------------------------------------------------
SMS_BACKENDS = {
    "console": "doorstep.notifications.sms.ConsoleBackend",
    "file": "doorstep.notifications.sms.FileBackend",
    "locmem": "doorstep.notifications.sms.LocmemBackend",
    "twilio": "doorstep.notifications.sms_twilio.TwilioBackend",
    "off": "doorstep.notifications.sms.SwitchedOffBackend",  # a company that sends no texts
}
_sms_backend = env_str("SMS_BACKEND", "console")
SMS_BACKEND = SMS_BACKENDS.get(_sms_backend, _sms_backend)
SMS_FILE_PATH = env_str("SMS_FILE_PATH") or str(DATA_DIR / "outbox" / "sms")
SMS_FROM_NUMBER = env_str("SMS_FROM_NUMBER")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
# Twilio's messaging service, used instead of SMS_FROM_NUMBER when set.
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")

# --- Security ----------------------------------------------------------------------------------
# HTTPS is assumed unless DOORSTEP_HTTPS=false (as `make run` sets for the local demo),
# so that a production install is safe without knowing about each of these settings.
HTTPS = env_bool("DOORSTEP_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("DOORSTEP_BEHIND_PROXY"):
    # Behind a reverse proxy that terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Sessions are kept in the database and read through the cache (Redis with REDIS_URL, so
# every process sees a sign-out; else this process's memory, right for the one process
# that runs without Redis): a signed-in page does not wait on a query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
    },
}

# --- Doorstep -------------------------------------------------------------------------------
# The address customers reach the portal at, for links in email and text messages.
DOORSTEP_BASE_URL = env_str("DOORSTEP_BASE_URL", "http://127.0.0.1:8000")
# When the daily housekeeping removes expired sessions (cron syntax, UTC; days of the week
# by name). Django already refuses expired sessions; this only bounds the table's size.
DOORSTEP_SESSION_PURGE_CRON = env_str("DOORSTEP_SESSION_PURGE_CRON", "17 3 * * *")
# How many days location pings are kept before the daily purge removes them.
DOORSTEP_PING_RETENTION_DAYS = env_int("DOORSTEP_PING_RETENTION_DAYS", 30)

# --- Routing: travel times for the live ETA ---------------------------------------------------
# offline (distance and an hour-of-week speed, no map data), valhalla-embedded (tiles built
# with `doorstep routing build`), osrm or valhalla (a self-hosted server at
# DOORSTEP_ROUTING_URL), or commercial (DOORSTEP_ROUTING_COMMERCIAL names the routingpy
# client: google, heremaps, graphhopper, openrouteservice, mapbox). Whatever is chosen, a
# failing or slow provider falls back to the offline estimate.
DOORSTEP_ROUTING_PROVIDER = env_str("DOORSTEP_ROUTING_PROVIDER", "offline").lower()
DOORSTEP_ROUTING_URL = env_str("DOORSTEP_ROUTING_URL")
DOORSTEP_ROUTING_API_KEY = env_str("DOORSTEP_ROUTING_API_KEY")
DOORSTEP_ROUTING_COMMERCIAL = env_str("DOORSTEP_ROUTING_COMMERCIAL").lower()
DOORSTEP_ROUTING_TIMEOUT = env_int("DOORSTEP_ROUTING_TIMEOUT", 3)  # seconds
# Where `doorstep routing build` puts Valhalla's tiles; a relative path is inside DATA_DIR.
DOORSTEP_VALHALLA_TILES = DATA_DIR / (env_str("DOORSTEP_VALHALLA_TILES") or "valhalla")

# --- Live map ---------------------------------------------------------------------------------
# The tiles of the live map on a visit on its way: the one thing the visit page loads from
# another site (without a Referer). Point it at your own tile server to load nothing from others.
DOORSTEP_MAP_TILE_URL = env_str(
    "DOORSTEP_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
DOORSTEP_MAP_ATTRIBUTION = env_str("DOORSTEP_MAP_ATTRIBUTION", "© OpenStreetMap contributors")
# A live map whose socket has been quiet this long checks the visit's state once: a
# connection dropped without a word, or a change made in a process whose channel layer
# does not reach this one (no Redis), leaves the page stale for this long at most.
DOORSTEP_LIVE_QUIET_SECONDS = env_int("DOORSTEP_LIVE_QUIET_SECONDS", 60)

# --- Content-Security-Policy --------------------------------------------------------------------
# Scripts and styles from this site's files only (doorstep/project/csp.py); the map's tiles
# from the tile server above, photos from the S3 store if there is one (file_settings.py).
# The back office gives its few inline tags the request's nonce: the same policy as the portal.
SECURE_CSP = content_security_policy(
    tile_url=DOORSTEP_MAP_TILE_URL,
    base_url=DOORSTEP_BASE_URL,
    files_origin=DOORSTEP_PRIVATE_FILES_ORIGIN,  # noqa: F405
)

# The integration API's settings (REST framework, OpenAPI document, rate limit).
from doorstep.project.api_settings import *  # noqa: E402, F403
