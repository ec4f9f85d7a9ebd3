"""`/schema`: Swagger UI over the OpenAPI document, every asset served by the gateway.

The script and style come from the `swagger-ui-py` package (Swagger UI 5's own build, which
reads OpenAPI 3.1 as Litestar writes it, vendored on PyPI), so the page works with no network;
its start-up script is ours, so it can turn off Swagger UI's calls to the public validator.
"""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS = "/schema/assets"


class SwaggerDocs(OpenAPIRenderPlugin):
    """Swagger UI, loading its assets and the schema from this gateway only."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page: Swagger UI's style and scripts, and the schema's address for them."""
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec = html.escape(self.get_openapi_json_route(request))
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title} API</title>"
            f"<link rel='icon' href='{ASSETS}/favicon-32x32.png'>"
            f"<link rel='stylesheet' href='{ASSETS}/swagger-ui.css'>"
            "</head><body>"
            f"<p style='font:14px sans-serif;margin:1em'><a href='/'>{title} home</a> · "
            f"<a href='{spec}'>OpenAPI JSON</a> · Press <b>Authorize</b> and paste an API key "
            "to try a route.</p>"
            f"<div id='swagger' data-spec='{spec}'></div>"
            f"<script src='{ASSETS}/swagger-ui-bundle.js'></script>"
            "<script src='/static/swagger-start.js'></script>"
            "</body></html>"
        ).encode()


def swagger_assets() -> Router:
    """Swagger UI's files from the installed package."""
    return create_static_files_router(
        path=ASSETS, directories=[_package_assets()], include_in_schema=False
    )


def _package_assets() -> Path:
    """The `static` folder of `swagger-ui-py`, found without importing its web adapters."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Swagger UI's assets are missing: install the `swagger-ui-py` package")
    return Path(next(iter(spec.submodule_search_locations))) / "static"
