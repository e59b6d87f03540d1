"""Web plumbing several blueprints share (no blueprint imports another): the known-browser
cookie, and CSV and Excel downloads."""
