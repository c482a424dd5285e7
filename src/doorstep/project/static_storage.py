"""The static files' storage: ServeStatic's compressed, hashed files, their addresses kept.

Every page names six to ten static files (`{% static %}`), and each name was looked up in
the manifest and turned into an address anew: a tenth of the visit link's page. The
names and their hashed addresses only change when `collectstatic` runs, so each address
is worked out once and kept until the next collection. With DEBUG on, files change while
the server runs, and nothing is kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from servestatic.storage import CompressedManifestStaticFilesStorage


# ServeStatic has no type hints.
class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or settings.DEBUG or name is None:
            address: str = super().url(name, force)
            return address
        found = self._addresses.get(name)
        if found is None:
            found = str(
                super().url(name)
            )  # a name missing from the manifest raises, and is not kept
            self._addresses[name] = found
        return found

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()  # the files were collected anew: their hashes may differ
