"""The database: engine and sessions, base model, the unit of work, and a database that degrades.

`Database` owns the engine, its guard and (on PostgreSQL) an autocommit reader; each unit of
work is one `Session` from `Database.session()`, passed to the services that use it. The
helpers below (`commit`, `read_only`, `release_reads`, `savepoint`, ...) act on the session
they are given: nothing here is global, and nothing here knows about HTTP.

SQLite is the embedded default, PostgreSQL runs in production. Trouble with the database
(refused connections, a frozen server, an exhausted pool) becomes `Unavailable` (a 503 with
`Retry-After`), never a hung worker: connect and statement timeouts, TCP keepalives, a pool
checkout timeout, a client-side deadline per round trip and a circuit breaker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, Table, create_engine, event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator

from netflix_clone.core.breaker import CircuitBreaker
from netflix_clone.core.exceptions import Conflict, Unavailable
from netflix_clone.core.settings import Settings

log = logging.getLogger(__name__)

# Stable constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    __table__: ClassVar[Table]  # every model here maps one table


class Session(OrmSession):
    """One unit of work of a `Database`, admitted to it once by its DatabaseGuard (breaker,
    slots).

    A read-only unit of work (see `read_only`) runs on PostgreSQL without a transaction: each
    statement is its own, as it would be under READ COMMITTED anyway, and the BEGIN and COMMIT
    round trips are saved."""

    def __init__(self, *args: Any, database: Database, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.database = database

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        if not self.info.get(_ADMITTED):
            self.database.guard.admit(self)
        if self.info.get(_READ_ONLY):
            return self.database.reader
        return self.database.engine


_ADMITTED = "netflix_clone.admitted"
_SLOT = "netflix_clone.db_slot"
_READ_ONLY = "netflix_clone.read_only"
_WROTE = "netflix_clone.wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Any, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _release_admission(session: Any, transaction: Any) -> None:
    if transaction.parent is not None:
        return  # a savepoint ended; the unit of work goes on
    session.info.pop(_ADMITTED, None)
    session.info.pop(_WROTE, None)
    guard: DatabaseGuard | None = session.info.pop(_SLOT, None)
    if guard is not None:
        guard.release_slot()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def engine_options(settings: Settings) -> dict[str, Any]:
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        # 30 s busy timeout: concurrent writers wait for the lock instead of failing.
        return {
            "connect_args": {"timeout": 30, "check_same_thread": False},
            "hide_parameters": True,
        }
    return {
        # SQL parameters are members' emails and password hashes: never in a log line or in
        # the text of a database error.
        "hide_parameters": True,
        # No pool_pre_ping: its ping runs where no deadline reaches it. DatabaseGuard pings a
        # connection that sat idle, under the same deadline as every other round trip.
        "pool_recycle": 1800,
        "pool_size": settings.db_pool_size,
        "max_overflow": 0,  # the guard's slots bound connections per process
        "pool_timeout": settings.db_pool_timeout,
        "connect_args": {
            "connect_timeout": settings.db_connect_timeout,
            "application_name": "netflix-clone",
            # Server-side bounds; the guard's deadline covers what a frozen server can't enforce.
            "options": (
                f"-c statement_timeout={settings.db_statement_timeout_ms}"
                f" -c idle_in_transaction_session_timeout={settings.db_statement_timeout_ms * 6}"
            ),
            # A peer that vanished (a failed-over instance, a dropped NAT entry) is noticed in
            # ~keepalives_idle + 3 x 5 s instead of the kernel's two hours.
            "keepalives": 1,
            "keepalives_idle": settings.db_keepalives_idle,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": (settings.db_keepalives_idle + 15) * 1000,
        },
    }


class Database:
    """The engine, its guard, the autocommit reader and the factory of sessions: built once
    per process by the app factory (or the CLI) and passed to whoever needs a session.
    `credentials` is a DatabaseCredentials (secret_store.py) or None."""

    def __init__(self, settings: Settings, credentials: Any = None) -> None:
        url = settings.sqlalchemy_url
        if url.startswith("sqlite:///"):
            settings.instance_path.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, **engine_options(settings))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if credentials is not None:
            event.listen(self.engine, "do_connect", credentials.inject)
        self.guard = DatabaseGuard(settings, self.engine)
        # On PostgreSQL, the same pool in autocommit: psycopg sends no BEGIN and its commit is
        # a no-op (read-only units of work, see read_only).
        self.reader: Engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.postgres
            else self.engine
        )
        self._sessions = sessionmaker(bind=self.engine, class_=Session, database=self)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session(self) -> Session:
        """A new unit of work; close it when done (the web layer does, after each request)."""
        return self._sessions()

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """A unit of work outside a request (the CLI, tests): commits when the block succeeds,
        rolls back when it raises, and closes either way."""
        session = self.session()
        try:
            yield session
            commit(session)
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")  # cascades from account deletion depend on it
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# --- a database that degrades -----------------------------------------------------------------


STALLED = 1.0  # seconds without a completed round trip, while one is outstanding
PAUSE_SLACK = 0.25  # the watchdog waking this much later than asked means the process was paused
SLOT_POLL = 0.05


def is_unavailable(error: BaseException) -> bool:
    """Errors that mean "the database can't serve us now" (not "this query is wrong")."""
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):
        return True  # pool checkout timed out / connection lost before use
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error, exc.OperationalError | exc.InterfaceError):
            return True
        # PostgreSQL's statement_timeout and lock timeouts are "query canceled" (57014), and a
        # server going down answers 57P01..57P03 (admin shutdown, crash, cannot connect now).
        code = getattr(error.orig, "sqlstate", None)
        return bool(code and code.startswith("57"))
    return False


class _Watch:
    __slots__ = ("deadline", "fd", "fired")

    def __init__(self, deadline: float, fd: int) -> None:
        self.deadline = deadline
        self.fd = fd
        self.fired = False


class DatabaseGuard:
    """A circuit breaker plus a client-side deadline for every round trip to PostgreSQL.

    libpq has no read timeout, and a frozen server (SIGSTOP, a hung VM) can't run its own
    statement_timeout: a query would wait forever while TCP keeps the session up. A watchdog
    thread cuts the socket under any round trip that outlives `db_operation_timeout`, so the
    driver fails at once with a disconnect (the pool drops that connection) and the request
    gets a 503. While the breaker is open, sessions refuse before they touch the pool.

    A bulkhead keeps request threads free for work that needs no database (`/healthz`, the
    catalog): at most `db_pool_size` units of work per process hold the database at once
    (fewer than gunicorn's threads). Others wait for a slot while the database makes progress;
    when no round trip has completed for `STALLED` seconds while slots are full, they give up
    at once with a 503, and a round trip outstanding that long opens the breaker.
    """

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.breaker = CircuitBreaker(
            "database",
            failures=settings.db_breaker_failures,
            reset_after=settings.db_breaker_reset_seconds,
        )
        self._timeout = settings.db_operation_timeout
        self._ping_after = 5.0  # ping a pooled connection that sat idle this long before use
        self._lock = threading.Lock()
        self._watches: dict[int, _Watch] = {}  # id(DBAPI connection) -> its current round trip
        self._watchdog: threading.Thread | None = None
        self._watchdog_pid = 0
        self._postgres = engine.dialect.name == "postgresql"
        self._slots = threading.BoundedSemaphore(settings.db_pool_size)
        self._slot_wait = settings.db_pool_timeout
        self._progress = time.monotonic()  # when a round trip last completed
        self._resumed = 0.0  # when the watchdog last found the process had been paused
        event.listen(engine, "handle_error", self._on_error)
        event.listen(engine, "after_cursor_execute", self._on_success)
        if self._postgres:
            event.listen(engine, "before_cursor_execute", self._before_execute)
            event.listen(engine, "after_cursor_execute", self._after_execute)
            event.listen(engine, "handle_error", self._after_error)
            event.listen(engine, "checkout", self._on_checkout)
            event.listen(engine, "checkin", self._on_checkin)
            event.listen(engine, "commit", self._before_commit)

    # -- the breaker ----------------------------------------------------------------------------

    def admit(self, session: Any) -> None:
        """Let a unit of work at the database (once; its later statements go straight on)."""
        if not self.breaker.allow():
            raise self._refusal()
        if self._postgres:
            self._take_slot()
            session.info[_SLOT] = self
        session.info[_ADMITTED] = True

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Admission for work on a connection of its own, outside the session."""
        if not self.breaker.allow():
            raise self._refusal()
        if not self._postgres:
            yield
            return
        self._take_slot()
        try:
            yield
        finally:
            self.release_slot()

    def _refusal(self) -> Unavailable:
        return Unavailable(
            "The database is unavailable right now; try again shortly.",
            code="database-unavailable",
            retry_after=self.breaker.retry_after(),
        )

    def _take_slot(self) -> None:
        deadline = time.monotonic() + self._slot_wait
        while not self._slots.acquire(timeout=SLOT_POLL):
            now = time.monotonic()
            if now >= deadline or self._stalled_for(now) >= STALLED:
                # Slots full and nothing completing: don't queue a thread behind them.
                raise self._refusal()
            if self.breaker.state == "open":
                raise self._refusal()

    def release_slot(self) -> None:
        self._slots.release()

    @property
    def postgres(self) -> bool:
        return self._postgres

    def succeeded(self) -> None:
        """A round trip completed outside SQLAlchemy's execution (see _driver_statement)."""
        self._on_success()

    def _on_success(self, *_: Any) -> None:
        self._progress = time.monotonic()
        self.breaker.success()

    def _on_error(self, context: Any) -> None:
        if is_unavailable(context.original_exception) or context.is_disconnect:
            self.breaker.failure()

    def record_failure(self, error: BaseException) -> None:
        """For failures outside a statement (a pool timeout, a failed commit)."""
        self.breaker.failure(trip=isinstance(error, exc.TimeoutError))

    # -- deadlines --------------------------------------------------------------------------------

    @contextmanager
    def deadline(self, dbapi_conn: Any) -> Iterator[None]:
        """Bound one round trip on `dbapi_conn` (a commit, a ping) by the operation timeout."""
        if not self._postgres:
            yield
            return
        self._watch(dbapi_conn)
        try:
            yield
        finally:
            self._unwatch(dbapi_conn)

    def _watch(self, dbapi_conn: Any) -> None:
        try:
            fd = int(dbapi_conn.pgconn.socket)
        except Exception:
            return  # already closed: the driver will say so itself
        self._ensure_watchdog()
        with self._lock:
            self._watches[id(dbapi_conn)] = _Watch(time.monotonic() + self._timeout, fd)

    def _unwatch(self, dbapi_conn: Any) -> bool:
        with self._lock:
            watch = self._watches.pop(id(dbapi_conn), None)
        return bool(watch and watch.fired)

    def _before_execute(self, conn: Any, *_: Any) -> None:
        self._watch(conn.connection.dbapi_connection)

    def _after_execute(self, conn: Any, *_: Any) -> None:
        self._unwatch(conn.connection.dbapi_connection)

    def _after_error(self, context: Any) -> None:
        dbapi_conn = getattr(context.connection, "connection", None)
        raw = getattr(dbapi_conn, "dbapi_connection", None) if dbapi_conn is not None else None
        if raw is not None and self._unwatch(raw):
            self.breaker.failure(trip=True)  # the deadline passed: don't queue more behind it

    def _before_commit(self, conn: Any) -> None:
        # Cleared at check-in, which follows the commit (the session releases its connection).
        self._watch(conn.connection.dbapi_connection)

    def _on_checkin(self, dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is None:
            return
        record.info["checked_in_at"] = self._progress = time.monotonic()
        if self._unwatch(dbapi_conn):
            self.breaker.failure(trip=True)

    def _on_checkout(self, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last = record.info.pop("checked_in_at", None)
        if last is None or time.monotonic() - last < self._ping_after:
            return  # brand new, or in use moments ago
        with self.deadline(dbapi_conn):
            try:
                cur = dbapi_conn.cursor()
                cur.execute("SELECT 1")
                cur.close()
                # Back to idle: the ping's implicit BEGIN must not become the unit of work's
                # transaction, and a read-only unit can only switch an idle connection to
                # autocommit.
                dbapi_conn.rollback()
            except Exception as error:
                # The pool discards this connection and checks out (or opens) another.
                raise exc.DisconnectionError(f"stale connection: {type(error).__name__}") from None

    def _ensure_watchdog(self) -> None:
        if self._watchdog is not None and self._watchdog_pid == os.getpid():
            return
        with self._lock:
            if self._watchdog is not None and self._watchdog_pid == os.getpid():
                return
            thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
            self._watchdog, self._watchdog_pid = thread, os.getpid()
            thread.start()

    def _run(self) -> None:
        tick = min(0.25, self._timeout / 4)
        last = time.monotonic()
        while True:
            time.sleep(tick)
            now = time.monotonic()
            self._tick(now, paused=max(0.0, now - last - tick - PAUSE_SLACK))
            last = now

    def _tick(self, now: float, *, paused: float = 0.0) -> None:
        """One look at the round trips outstanding. `paused` is how long this process itself
        didn't run (the watchdog woke that late: a full collection, a CPU-starved host, a
        suspended VM). Its threads were stopped too, so a round trip that ended at the server
        during the pause hasn't been seen to end yet: that time isn't charged to the database."""
        with self._lock:
            if paused > 0:
                self._resumed = now
                for watch in self._watches.values():
                    watch.deadline += paused
            for watch in self._watches.values():
                if not watch.fired and now >= watch.deadline:
                    watch.fired = True
                    _cut(watch.fd)
                    log.warning(
                        "database round trip passed its %.1fs deadline; connection cut",
                        self._timeout,
                        extra={"event": "db_deadline"},
                    )
            # A watch's start is its deadline less the timeout (pauses included).
            stalled = any(
                now - (w.deadline - self._timeout) >= STALLED for w in self._watches.values()
            )
        if stalled and self._stalled_for(now) >= STALLED and self.breaker.state == "closed":
            # Nothing completes and a round trip hangs: stop sending more work after it.
            self.breaker.failure(trip=True)

    def _stalled_for(self, now: float) -> float:
        """Seconds without a completed round trip, not counting a pause of the process."""
        return now - max(self._progress, self._resumed)


def _cut(fd: int) -> None:
    """Shut the socket down under a blocked reader: its recv returns at once with an error."""
    try:
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()


# --- the unit of work --------------------------------------------------------------------------


def read_only(session: Session) -> None:
    """Declare the request's unit of work read-only, before its first statement (GET and HEAD
    requests never write: tests/integration/test_home_cache.py records their SQL). On
    PostgreSQL its statements run outside a transaction; a write would commit at once."""
    if not session.in_transaction():
        session.info[_READ_ONLY] = True


def one_statement(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """Run one statement as a whole unit of work, before the request's own (if any): admitted
    by the guard like a session, on a pooled connection of its own, without the ORM session's
    machinery; on PostgreSQL in autocommit (the statement is its own transaction: no BEGIN and
    COMMIT round trips), straight through the driver. Its first row, or None."""
    if session.in_transaction():
        # It would wait for a second slot while holding one: with every slot held that way,
        # no unit of work could finish.
        raise RuntimeError("one_statement() runs before the unit of work, not inside it")
    engine, guard = session.database.engine, session.database.guard
    if not guard.postgres:
        with guard.admitted(), engine.begin() as conn:
            return conn.execute(statement, params).first()
    with guard.admitted():
        return _driver_statement(engine, guard, statement, params)


_COMPILED: dict[int, tuple[Any, str, dict[str, Any]]] = {}  # id(statement) -> compiled form
# Called with (SQL, DBAPI connection) before a statement goes straight to the driver, as
# SQLAlchemy's before_cursor_execute event is for every other statement (tests count both).
driver_statement_listeners: list[Callable[[str, Any], None]] = []


def _compiled(engine: Engine, statement: Any) -> tuple[Any, str, dict[str, Any]]:
    """The statement compiled once for the engine's dialect: (compiled, SQL, bind processors).
    Statements passed here are module-level constants, so their ids are stable."""
    found = _COMPILED.get(id(statement))
    if found is not None and found[0].statement is statement:
        return found
    compiled = statement.compile(dialect=engine.dialect)
    processors = {
        # What SQLAlchemy applies to each parameter on this dialect (a TypeDecorator's
        # process_bind_param included), asked through the types' public interface.
        name: compiled.binds[name].type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
        for name in compiled.binds
    }
    found = (compiled, str(compiled), {k: v for k, v in processors.items() if v is not None})
    _COMPILED[id(statement)] = found
    return found


def _translated(
    engine: Engine, guard: DatabaseGuard, sql: str, error: Exception, *, dead: bool
) -> exc.StatementError:
    """The driver's error as SQLAlchemy's (web/errors.py turns those into problem documents), and
    counted by the breaker when it means the database can't serve us."""
    wrapped = exc.DBAPIError.instance(
        sql,
        None,  # hide_parameters: never in an error
        error,
        engine.dialect.loaded_dbapi.Error,
        connection_invalidated=dead,
        dialect=engine.dialect,
    )
    if is_unavailable(wrapped) or dead:
        guard.breaker.failure()
    return wrapped


def _driver_statement(
    engine: Engine, guard: DatabaseGuard, statement: Any, params: dict[str, Any]
) -> Any:
    """One statement on psycopg itself (SQLAlchemy's execution layer costs ~10x the driver's
    CPU for a one-row read), with what that layer gives the rest of the app: the guard's
    deadline and breaker, SQLAlchemy's exceptions (web/errors.py maps them), and a connection the
    pool drops when the error says it is dead."""
    compiled, sql, processors = _compiled(engine, statement)
    values = compiled.construct_params(params)
    for name, process in processors.items():
        values[name] = process(values[name])
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        # The pool's checkout events (the idle ping) run here. Unlike Engine.connect(),
        # raw_connection() hands on the driver's own error when no connection can be made.
        fairy = engine.raw_connection()
    except dbapi_error as error:
        raise _translated(engine, guard, sql, error, dead=False) from error
    raw: Any = fairy.dbapi_connection
    try:
        raw.autocommit = True
        for listener in driver_statement_listeners:
            listener(sql, raw)
        try:
            with guard.deadline(raw):
                row = raw.execute(sql, values).fetchone()
        finally:
            if not raw.closed:
                raw.autocommit = False
    except dbapi_error as error:
        dead = engine.dialect.is_disconnect(error, raw, None)
        if dead:
            fairy.invalidate(error)
        raise _translated(engine, guard, sql, error, dead=dead) from error
    finally:
        fairy.close()
    guard.succeeded()
    return row


def commit(session: Session) -> None:
    """End the unit of work: its one commit."""
    if session.in_transaction():
        try:
            session.commit()
        except Exception:
            session.rollback()
            raise


class WritesPending(RuntimeError):
    """Slow work without the database was asked for after the unit of work began writing."""


def release_reads(session: Session) -> None:
    """Give the request's database connection (and its slot in the guard) back before slow
    work that needs no database: password and PIN hashing. Only reads can have happened so
    far; they end here (a COMMIT of nothing) without expiring what they loaded, and the next
    statement begins the unit of work again. What was read may change meanwhile: whatever a
    write then depends on (the password hash just verified, say) is read again under the
    member's lock (accounts.service.lock_member).

    Raises WritesPending when the unit of work has written: committing would make its writes
    stand before the request succeeds, and holding them would hold the slot."""
    if not session.in_transaction():
        return
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        raise WritesPending("password hashing inside a unit of work that has written")
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def holding_locks(session: Session) -> None:
    """The unit of work took row locks (SELECT ... FOR UPDATE): like a write, they must last
    until its commit, so release_reads refuses from now on."""
    session.info[_WROTE] = True


def keep_on_error(session: Session) -> None:
    """The writes so far stand even if the request then fails (a revocation, say)."""
    session.info["keep_on_error"] = True


def kept_on_error(session: Session) -> bool:
    return bool(session.info.pop("keep_on_error", False))


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A part of the unit of work that can fail alone (a unique violation from a parallel
    request) without losing the rest."""
    if session.database.dialect == "sqlite":
        raw = session.connection().connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            # pysqlite opens no transaction before a SAVEPOINT, and releasing an outermost
            # savepoint commits: begin one ourselves so the request still commits once.
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    with session.begin_nested():
        yield
        session.flush()


@contextmanager
def unique_or_conflict(session: Session, detail: str, code: str) -> Iterator[None]:
    """Changes made in the block that a unique constraint refuses (a duplicate, perhaps from a
    parallel request) become Conflict; the database, not a prior read, decides races, and the
    rest of the unit of work stays intact."""
    try:
        with savepoint(session):
            yield
    except IntegrityError:
        raise Conflict(detail, code=code) from None
