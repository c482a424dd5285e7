"""Languages, time zones and phone numbers; `settings.py` takes them in.

Exactly the languages whose catalogs are complete are offered (a test fails on any
untranslated or fuzzy entry in a shipped catalog). Arabic is written right to left.
"""

from pathlib import Path

from doorstep.project.env import env_str

# The language a page falls back to when nothing else says which: the company's default
# language in its portal settings wins over this one.
LANGUAGE_CODE = env_str("DOORSTEP_DEFAULT_LANGUAGE", "en")
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
]
# Our own apps' catalogs first: where a word is also in Django's or allauth's catalogs
# ("Change", "Page not found"), the wording is ours.
LOCALE_PATHS = sorted(Path(__file__).resolve().parents[1].glob("*/locale"))
# The switch's choice, remembered for a year.
LANGUAGE_COOKIE_NAME = "doorstep_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The time zone a new account or technician gets unless staff choose another.
DOORSTEP_DEFAULT_TIME_ZONE = env_str("DOORSTEP_DEFAULT_TIME_ZONE", "UTC")
PHONENUMBER_DEFAULT_REGION = env_str("DOORSTEP_DEFAULT_PHONE_REGION") or None
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"  # how numbers read on pages: +1 303-555-0142
