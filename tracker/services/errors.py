class RuleBroken(Exception):
    """A business rule said no. The message is written for the user; `field` names the form
    field it belongs beside (None for the page as a whole)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(RuleBroken):
    """The rule is about who is acting (for example, a second officer must approve)."""
