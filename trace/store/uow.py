"""The unit of work: one database transaction that use cases commit or roll back as a whole."""

from __future__ import annotations

from contextlib import closing, contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from .db import WRITE_OPTION

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back on exit."""

    def __init__(self, session_factory: sessionmaker[Session], *, write: bool = False):
        self._factory = session_factory
        self._write = write
        self.session: Session | None = None

    def writing(self) -> SqlUnitOfWork:
        """A unit of work over the same database that takes the write lock up front."""
        return SqlUnitOfWork(self._factory, write=True)

    @property
    def dialect_name(self) -> str:
        """The database's SQLAlchemy dialect: ``sqlite`` or ``postgresql``."""
        return str(self._factory.kw["bind"].dialect.name)

    @contextmanager
    def driver_connection(self):
        """A pooled DB-API connection and the dialect's name, for a hot read that SQLAlchemy's
        session and result machinery would cost more than the query itself."""
        engine = self._factory.kw["bind"]
        with closing(engine.raw_connection()) as conn:
            yield conn, engine.dialect.name

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        if self._write:
            self.session.connection(execution_options={WRITE_OPTION: True})
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self.session is not None
        # close() rolls back anything uncommitted but, unlike rollback(), leaves the rows already
        # loaded readable, so a use case may build its answer after the block.
        self.session.close()
        self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()


def session_of(uow: UnitOfWork) -> Session:
    """The session of an entered unit of work: for the store's functions only (SQL lives here)."""
    if not isinstance(uow, SqlUnitOfWork) or uow.session is None:
        raise RuntimeError("the store needs an entered SqlUnitOfWork (`with uow: ...`)")
    return uow.session
