"""Every exception newsdesk raises on purpose.

    NewsdeskError              base: an edge (CLI, web, scheduler) turns it into one clear message
     ├── ConfigError           config/ is wrong: the message names file, entry and field
     ├── StoreError            the database cannot be opened, migrated or written as asked
     │    └── LockedError      another scheduler holds the database lock
     └── NotFoundError         an id (item, issue, source, user) that does not exist

Bad *input* (a broken page, a malformed feed, a 500) is not an exception: it is a value that is
counted and recorded on the source (see crawler/ and ops/process.py).
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base of all deliberate newsdesk errors."""


class ConfigError(NewsdeskError):
    """Invalid configuration; the message names the file, the entry and the field."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class StoreError(NewsdeskError):
    """The database could not be opened, migrated or written."""


class LockedError(StoreError):
    """Another process holds the scheduler lock on this database."""


class NotFoundError(NewsdeskError):
    """A requested id does not exist."""
