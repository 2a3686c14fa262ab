from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liveport.app import create_app
from liveport.web.assets import REPO_ROOT, VENDOR_FILES
from tests.conftest import missing

NODE_MODULES = REPO_ROOT / "node_modules"


@pytest.fixture
def installed() -> Path:
    if not all((NODE_MODULES / pkg / f).is_file() for pkg, f in VENDOR_FILES.items()):
        missing(f"front-end packages are not installed in {NODE_MODULES} (run `make install`)")
    return NODE_MODULES


@pytest.mark.parametrize("package", sorted(VENDOR_FILES))
def test_allowed_vendor_file_is_served_as_javascript(client, installed, package):
    answer = client.get(f"/static/vendor/{package}/{VENDOR_FILES[package]}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.content == (installed / package / VENDOR_FILES[package]).read_bytes()


@pytest.mark.parametrize("path", [
    "/static/vendor/hls.js/package.json",
    "/static/vendor/hls.js/dist/hls.js",
    "/static/vendor/chart.js/dist/chart.umd.js",
    "/static/vendor/@kurkle/color/package.json",
    "/static/vendor/hls.js/dist/%2e%2e/package.json",
    "/static/vendor/hls.js/dist/hls.min.js/../../package.json",
    "/static/vendor/left-pad/index.js",
    "/static/vendor/hls.js",
])
def test_vendor_path_outside_the_allow_list_is_404(client, installed, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert set(answer.json()["error"]) == {"code", "message", "details"}


def test_allowed_file_of_a_package_that_is_not_installed_is_404(settings, app_context, tmp_path):
    elsewhere = settings.model_copy(update={"assets_dir": tmp_path})
    with TestClient(create_app(elsewhere, context=replace(app_context, settings=elsewhere))) as client:
        answer = client.get("/static/vendor/hls.js/dist/hls.min.js")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "asset_not_installed"


def test_assets_dir_setting_points_at_another_node_modules(settings, app_context, tmp_path):
    built = tmp_path / "node_modules" / "qrcode-generator"
    built.mkdir(parents=True)
    (built / "qrcode.js").write_text("var qrcode = function () {};\n")
    (built / "package.json").write_text(json.dumps({"version": "9.9.9"}))
    elsewhere = settings.model_copy(update={"assets_dir": tmp_path})
    with TestClient(create_app(elsewhere, context=replace(app_context, settings=elsewhere))) as client:
        answer = client.get("/static/vendor/qrcode-generator/qrcode.js")
    assert answer.status_code == 200
    assert answer.text == "var qrcode = function () {};\n"


def test_own_static_files_are_served_with_their_types(client):
    css = client.get("/static/css/site.css")
    icon = client.get("/static/favicon.svg")
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert icon.headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize("path", ["/static/../pages.py", "/static/%2e%2e/pages.py",
                                  "/static/templates/base.html", "/static/nope.css"])
def test_nothing_outside_the_static_folder_is_served(client, path):
    assert client.get(path).status_code == 404
