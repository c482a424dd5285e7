"""Static files, uploads and the private files of the service history; `settings.py` takes
them in.

The default storage's folder is served at MEDIA_URL (technician photos, the header image),
so the service history's photos, signatures, documents and reports go to a storage of
their own, "private", which nothing serves: only the download views read it, after
checking who asks (decision 0019). Point it at any storage backend, an S3-compatible one
through django-storages included, by replacing STORAGES["private"].
"""

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
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
}
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
