"""What the store raises that use cases may catch, named for them (they import no SQLAlchemy).

``DuplicateRow``: a unique key refused a row, at ``flush`` or at ``uow.commit()`` (another
transaction wrote the same key meanwhile). It is SQLAlchemy's ``IntegrityError`` itself, which
is what the unit of work raises.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError as DuplicateRow

__all__ = ["DuplicateRow"]
