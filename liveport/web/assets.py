"""Static files: the pages' own assets and a few front-end packages straight from node_modules.

ADR 0002: no bundler and no vendored copies; `npm ci` installs the locked packages and this
serves an allow-list of their built files. Anything else under node_modules stays private.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from liveport.core.errors import NotFound
from liveport.core.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The checkout's root (liveport/web/assets.py → ../../..), where `npm ci` puts node_modules.
REPO_ROOT = Path(__file__).resolve().parents[2]

# package → the one built file a page may load.
VENDOR_FILES: dict[str, str] = {
    "hls.js": "dist/hls.min.js",
    "chart.js": "dist/chart.umd.min.js",
    "qrcode-generator": "qrcode.js",
}
JAVASCRIPT = "text/javascript; charset=utf-8"


def node_modules(settings: Settings) -> Path:
    return (settings.assets_dir or REPO_ROOT) / "node_modules"


@lru_cache(maxsize=32)
def _package_version(root: Path, package: str) -> str:
    try:
        return str(json.loads((root / package / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "0"


def vendor_url(settings: Settings, package: str) -> str:
    """The URL a template uses; the installed version in the query busts caches on upgrade."""
    version = _package_version(node_modules(settings), package)
    return f"/static/vendor/{package}/{VENDOR_FILES[package]}?v={version}"


async def vendor_file(request: Request) -> Response:
    """GET /static/vendor/{package}/{file}: only the allow-listed file of each package."""
    package = request.path_params["package"]
    file = request.path_params["file"]
    if VENDOR_FILES.get(package) != file:
        raise NotFound("No such file.", code="asset_not_found")
    path = node_modules(request.app.state.ctx.settings) / package / file
    if not path.is_file():
        # Allowed but not installed: `npm ci` has not run (make install does it).
        raise NotFound("That front-end package is not installed.", code="asset_not_installed")
    return FileResponse(
        path,
        media_type=JAVASCRIPT,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


def own_static_files() -> StaticFiles:
    """liveport/web/static/ (css, svg, small scripts), mounted at /static."""
    return StaticFiles(directory=STATIC_DIR)
