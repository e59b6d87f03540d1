"""Sending a stored upload (a return's evidence file, a final return's file) to the browser:
always as an attachment, under the name it was uploaded with, never cached."""

from pathlib import Path

from flask import abort, current_app, send_file

from tracker.services import evidence as evidence_service


def send_stored(kept):
    """The file `kept` (a row naming a stored file) as a download; 404 if it is gone from
    disk."""
    path = evidence_service.path_of(kept, Path(current_app.config["UPLOAD_FOLDER"]))
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=kept.content_type,
        as_attachment=True,
        download_name=kept.original_name,
        max_age=0,
    )
