"""Is this error the database being unavailable (down, restarting, unreachable, out of room),
rather than a fault in the service? Only then is the answer a 503 "try again later": anything
else (a constraint, a lock that waited its full 30 seconds on SQLite, bad SQL) stays a 500, so
that a bug is never dressed up as an outage."""

from sqlalchemy.exc import InterfaceError, OperationalError

# What a 503 asks clients (and load balancers) to wait before trying again.
RETRY_AFTER_SECONDS = 30

# PostgreSQL SQLSTATEs that mean the server cannot serve us now: connection exceptions (08...),
# the server shutting down or starting up (57P01-57P03), and insufficient resources (53...:
# disk full, out of memory, too many connections).
POSTGRES_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53")
# SQLite: the file cannot be opened (its folder is gone or unmounted), cannot be read or
# written (an I/O error), or the disk is full.
SQLITE_UNAVAILABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")


def database_unavailable(error: BaseException) -> bool:
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if getattr(error, "connection_invalidated", False):
        return True  # SQLAlchemy saw the connection drop
    original = getattr(error, "orig", None)
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(SQLITE_UNAVAILABLE)
    if type(original).__module__.startswith("psycopg"):
        sqlstate = getattr(original, "sqlstate", None)
        # libpq's own failures (refused, reset, closed, timed out) carry no SQLSTATE.
        return sqlstate is None or sqlstate.startswith(POSTGRES_UNAVAILABLE)
    return False
