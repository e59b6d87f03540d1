"""Asset addresses that name their content, so that a browser keeps each asset for a year.

`url_for("static", filename=...)` gains `?v=` and the first 12 hex digits of the file's
SHA-256: a new build changes the address, so a kept copy is never out of date. A request whose
`v` is the file's version now is answered cacheable for a year and immutable, so a browser
fetches each stylesheet and script once, not on every page (as GOV.UK's own services do).
GOV.UK Frontend's fonts carry their content's hash in their names (`bold-b542beb274-v2.woff2`),
so they are kept for a year too. Any other asset address (an image named inside a stylesheet,
a module another imports) is answered as before: the browser asks again each time, and gets a
304 while the file is unchanged."""

import hashlib
import re

from flask import Flask, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 60 * 60
HASHED_FONT = re.compile(r"fonts/[\w-]+-[0-9a-f]{10}(-v\d+)?\.woff2?")


def init_app(app: Flask) -> None:
    versions: dict[str, str] = {}

    def version_of(filename: str) -> str | None:
        """The file's version, worked out once per process (each deployment is a new build);
        None for a name outside the static folder or a file that is not there."""
        if filename not in versions or app.debug:
            path = safe_join(app.static_folder, filename)
            try:
                with open(path, "rb") as file:
                    versions[filename] = hashlib.sha256(file.read()).hexdigest()[:12]
            except (TypeError, OSError):  # TypeError: safe_join refused the name
                return None
        return versions[filename]

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") and "v" not in values:
            version = version_of(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def keep_versioned_assets(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        given = request.args.get("v")
        if HASHED_FONT.fullmatch(filename) or (given and given == version_of(filename)):
            response.cache_control.no_cache = None  # send_file's, as no age was set
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
