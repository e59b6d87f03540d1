"""gunicorn's entry point for the crash tests: the service exactly as `wsgi.py` makes it, plus
the test-only fault injection that TRACKER_FAULT_INJECTION asks for (tests/live/server.py picks
this entry point whenever that setting is given)."""

from tests.live import fault_injection
from wsgi import app

fault_injection.init_app(app)
