"""Static files, uploads and the private files of the service history; `settings.py` takes
them in.

The default storage's folder is served at MEDIA_URL (technician photos, the header image),
so the service history's photos, signatures, documents and reports go to a storage of
their own, "private", which nothing serves: only the download views read it, after
checking who asks (decision 0019). DOORSTEP_S3_BUCKET puts them in an S3-compatible store
instead (AWS S3, MinIO, Ceph, R2, …; `pip install doorstep[s3]`), where the download views,
once they have checked who asks, answer with a signed address that lasts a minute.
"""

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from doorstep.project.env import data_dir, env_bool, env_int

_DATA_DIR = data_dir()

STATIC_URL = "static/"
STATIC_ROOT = _DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # `doorstep serve` fills it and ServeStatic serves it
MEDIA_URL = "media/"
MEDIA_ROOT = _DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: a file here has no address of its own.
        "OPTIONS": {"location": _DATA_DIR / "private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "doorstep.project.static_storage.StaticStorage"},
}
# Static files are compressed with gzip when `doorstep serve` collects them. Brotli is
# installed too (the PDF renderer brings it), but at its best setting it takes minutes
# over the API docs' scripts on a small machine, and every first start would wait.
SERVESTATIC_USE_BROTLI = env_bool("DOORSTEP_STATIC_BROTLI")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

# --- Service history ----------------------------------------------------------------------
# The largest photo and document a technician, the office or an integration may upload, in
# megabytes. A phone's photo is 2 to 6 MB (JPEG) and up to 12 MB (HEIC, 48 megapixels).
DOORSTEP_PHOTO_MAX_MB = env_int("DOORSTEP_PHOTO_MAX_MB", 25)
DOORSTEP_DOCUMENT_MAX_MB = env_int("DOORSTEP_DOCUMENT_MAX_MB", 20)
# A photo's long side is brought down to this many pixels; its thumbnail to the second.
DOORSTEP_PHOTO_MAX_PIXELS = env_int("DOORSTEP_PHOTO_MAX_PIXELS", 2560)
DOORSTEP_PHOTO_THUMBNAIL_PIXELS = env_int("DOORSTEP_PHOTO_THUMBNAIL_PIXELS", 400)
# Keep the file as the phone sent it (EXIF, location and all) beside the cleaned copy.
# Off by default: the original says where the technician stood, to the metre.
DOORSTEP_PHOTO_KEEP_ORIGINAL = env_bool("DOORSTEP_PHOTO_KEEP_ORIGINAL")
# Days after a visit's completion its photos, documents, reports and signature are
# deleted (history/retention.py); unset: kept as long as the visit.
DOORSTEP_HISTORY_RETENTION_DAYS = (
    env_int("DOORSTEP_HISTORY_RETENTION_DAYS", 0)
    if os.environ.get("DOORSTEP_HISTORY_RETENTION_DAYS", "").strip()
    else None
)

# --- The private files in an S3-compatible store ------------------------------------------
# How long a signed download address lasts, in seconds: long enough to follow the redirect.
DOORSTEP_DOWNLOAD_URL_SECONDS = env_int("DOORSTEP_DOWNLOAD_URL_SECONDS", 60)


def s3_storage(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """STORAGES["private"] for an S3-compatible store, from the environment; None unless
    DOORSTEP_S3_BUCKET is set. Credentials: DOORSTEP_S3_ACCESS_KEY_ID and
    DOORSTEP_S3_SECRET_ACCESS_KEY, else boto3's own (AWS_* variables, an instance role)."""
    bucket = environ.get("DOORSTEP_S3_BUCKET", "").strip()
    if not bucket:
        return None
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": environ.get("DOORSTEP_S3_PREFIX", "private").strip("/"),
        # Nothing is public: every object is read through a signed address.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(environ.get("DOORSTEP_DOWNLOAD_URL_SECONDS", "60")),
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    for option, variable in (
        ("endpoint_url", "DOORSTEP_S3_ENDPOINT_URL"),
        ("region_name", "DOORSTEP_S3_REGION"),
        ("access_key", "DOORSTEP_S3_ACCESS_KEY_ID"),
        ("secret_key", "DOORSTEP_S3_SECRET_ACCESS_KEY"),
    ):
        if value := environ.get(variable, "").strip():
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def s3_origin(storage: Mapping[str, Any] | None) -> str:
    """Where the browser fetches signed downloads from (for the Content-Security-Policy)."""
    if storage is None:
        return ""
    endpoint = storage["OPTIONS"].get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    return "https://*.amazonaws.com"


if (_s3 := s3_storage(os.environ)) is not None:
    STORAGES["private"] = _s3
DOORSTEP_PRIVATE_FILES_ORIGIN = s3_origin(_s3)
