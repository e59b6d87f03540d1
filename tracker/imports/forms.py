from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput

from tracker.web.forms import TrackerForm


class UploadForm(TrackerForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV or Excel (.xlsx) file, smaller than 10MB",
    )


class ConfirmForm(TrackerForm):
    """Only the CSRF token: what is imported is the file kept on the server, never the page."""
