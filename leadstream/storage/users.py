"""Dashboard users: hashed passwords and one role each (viewer, sales, admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from leadstream.errors import ConfigError
from leadstream.storage.schema import users

ROLES = ("viewer", "sales", "admin")
_DUMMY_HASH = generate_password_hash("leadstream-timing-equaliser")


@dataclass(frozen=True)
class User:
    """A person who may sign in to the dashboard."""

    id: int
    username: str
    role: str

    @property
    def can_label(self) -> bool:
        """Whether this user's clicks become feedback labels."""
        return self.role in ("sales", "admin")


def save_user(engine: Engine, username: str, password: str, role: str) -> None:
    """Create a user, or reset the password and role of an existing one."""
    if role not in ROLES:
        raise ConfigError(f"role: must be one of {', '.join(ROLES)}, got {role!r}")
    if len(password) < 8:
        raise ConfigError("password: must be at least 8 characters")
    password_hash = generate_password_hash(password)
    with engine.begin() as connection:
        exists = connection.execute(select(users.c.id).where(users.c.username == username)).first()
        if exists:
            connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=password_hash, role=role)
            )
        else:
            connection.execute(
                users.insert().values(
                    username=username,
                    password_hash=password_hash,
                    role=role,
                    created_at=datetime.now(UTC).replace(tzinfo=None),
                )
            )


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user whose name and password match, else None."""
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        # Spend the same time as a wrong password, so timing does not reveal who has an account.
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    return User(id=row.id, username=row.username, role=row.role)


def get_user(engine: Engine, user_id: int) -> User | None:
    """A user by id, for restoring a session."""
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.id == user_id)).first()
    return User(id=row.id, username=row.username, role=row.role) if row else None
