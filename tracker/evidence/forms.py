from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput

from tracker.web.forms import VersionedForm


class UploadForm(VersionedForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="PDF, DOCX, XLSX, CSV, PNG or JPEG, smaller than 10MB",
    )
