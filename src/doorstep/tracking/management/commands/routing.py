"""`doorstep routing build <extract.osm.pbf>`: road tiles for the embedded Valhalla provider.

Download an extract of your area (for example from download.geofabrik.de), run this, set
DOORSTEP_ROUTING_PROVIDER=valhalla-embedded and restart Doorstep. Tiles are built next to
the target folder and swapped in when complete, so a failed build leaves the old ones.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Valhalla's log lines: "2026-11-21 07:09:25.308 [INFO] Parsing ways..." with ANSI colours.
LOG_PREFIX = re.compile(r"^\S+ \S+ (?:\x1b\[[0-9;]*m)?\[(\w+)\](?:\x1b\[[0-9;]*m)? ?")
PBF_MAGIC = b"OSMHeader"


class Command(BaseCommand):
    help = "Build road tiles for the embedded Valhalla routing provider."
    # Building tiles needs no database, URLs or models: it can run before anything else.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        build = actions.add_parser(
            "build",
            help="Build Valhalla tiles from an OpenStreetMap extract (.osm.pbf or .osm).",
            description="Build Valhalla tiles into DOORSTEP_VALHALLA_TILES.",
        )
        build.add_argument("extract", help="An OpenStreetMap extract: .osm.pbf or .osm XML.")
        build.add_argument(
            "--tiles-dir",
            help="Where to put the tiles (default: the DOORSTEP_VALHALLA_TILES setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "build":
            tiles_dir = Path(options["tiles_dir"] or settings.DOORSTEP_VALHALLA_TILES)
            self.build(Path(options["extract"]), tiles_dir, verbosity=options["verbosity"])

    def build(self, extract: Path, tiles_dir: Path, *, verbosity: int) -> None:
        extract = check_extract(extract)
        import valhalla  # type: ignore[import-untyped]

        # The console scripts in the virtualenv's bin only work with it on PATH; the
        # executables inside the package work from anywhere.
        build_tiles = Path(valhalla.__file__).parent / "bin" / "valhalla_build_tiles"
        if not build_tiles.exists():
            raise CommandError(f"pyvalhalla has no valhalla_build_tiles at {build_tiles}.")

        tiles_dir = tiles_dir.resolve()
        tiles_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = tiles_dir.with_name(tiles_dir.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        config_path = staging / "valhalla.json"
        config_path.write_text(json.dumps(tile_config(staging), indent=2))

        started = time.monotonic()
        self.stdout.write(f"Building Valhalla tiles from {extract} into {tiles_dir} …")
        last_lines = self.run_logged(
            [str(build_tiles), "-c", str(config_path), str(extract)], verbosity=verbosity
        )
        if last_lines is not None:
            shutil.rmtree(staging, ignore_errors=True)
            raise CommandError(
                "Valhalla could not build tiles from this file:\n" + "\n".join(last_lines)
            )
        tile_count = sum(1 for _ in staging.rglob("*.gph"))
        if not tile_count:
            shutil.rmtree(staging, ignore_errors=True)
            raise CommandError(f"{extract} has no roads a car can drive on: no tiles were built.")

        # Point the kept config at the final folder, for anyone who runs valhalla_service.
        config_path.write_text(json.dumps(tile_config(tiles_dir), indent=2))
        previous = tiles_dir.with_name(tiles_dir.name + ".previous")
        shutil.rmtree(previous, ignore_errors=True)
        if tiles_dir.exists():
            tiles_dir.rename(previous)
        staging.rename(tiles_dir)
        shutil.rmtree(previous, ignore_errors=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {tile_count} tile(s) in {time.monotonic() - started:.1f} s into "
                f"{tiles_dir}. Restart Doorstep to route on them."
            )
        )

    def run_logged(self, command: list[str], *, verbosity: int) -> list[str] | None:
        """Run `command`, echoing Valhalla's progress; None on success, else its last lines."""
        tail: list[str] = []
        with subprocess.Popen(  # noqa: S603 (a fixed executable and our own paths)
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as process:
            assert process.stdout is not None  # noqa: S101 (stdout=PIPE above)
            for raw_line in process.stdout:
                match = LOG_PREFIX.match(raw_line)
                level = match.group(1) if match else "INFO"
                line = (raw_line[match.end() :] if match else raw_line).rstrip()
                tail = [*tail[-9:], line]
                # Verbosity 1 shows the stages; 2 and up shows Valhalla's whole log.
                if verbosity >= 2 or (verbosity == 1 and level in {"INFO", "WARN", "ERROR"}):
                    self.stdout.write(f"  {line}")
        return None if process.returncode == 0 else tail


def check_extract(extract: Path) -> Path:
    """The extract's absolute path, or a `CommandError` that says what is wrong with it."""
    if not extract.exists():
        raise CommandError(f"There is no file at {extract}.")
    if not extract.is_file():
        raise CommandError(f"{extract} is not a file; give an .osm.pbf or .osm extract.")
    try:
        with extract.open("rb") as stream:
            head = stream.read(64)
    except OSError as error:
        raise CommandError(f"Cannot read {extract}: {error.strerror}.") from error
    looks_like_xml = head.lstrip().startswith((b"<?xml", b"<osm"))
    if not (looks_like_xml or PBF_MAGIC in head):
        raise CommandError(
            f"{extract} is neither OpenStreetMap XML (.osm) nor PBF (.osm.pbf); "
            "download an extract from e.g. https://download.geofabrik.de/."
        )
    return extract.resolve()


def tile_config(tiles_dir: Path) -> dict[str, Any]:
    """Valhalla's default configuration for tiles in `tiles_dir`, without the extras.

    No time zone or administrative-area databases: they are built from other sources and
    only refine time-dependent and country-specific rules. Equivalent to
    `valhalla_build_config --mjolnir-tile-dir DIR --mjolnir-timezone "" --mjolnir-admin ""`.
    """
    import valhalla

    tiles_dir.mkdir(parents=True, exist_ok=True)
    # verbose=True: Valhalla logs to stdout, which is the build's progress report.
    config: dict[str, Any] = valhalla.get_config(tile_extract="", tile_dir=tiles_dir, verbose=True)
    config["mjolnir"].update(
        {"timezone": "", "admin": "", "landmarks": "", "traffic_extract": "", "transit_dir": ""}
    )
    return config
