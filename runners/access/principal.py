"""Who a request comes from, once its key is authenticated, and the roles a key can have.

admin        every course
instructor   its courses
student      its one course, speaking for one student
"""

from __future__ import annotations

from typing import Literal, get_args
from uuid import UUID

import msgspec

Role = Literal["admin", "instructor", "student"]
ROLES: tuple[Role, ...] = get_args(Role)


class Principal(msgspec.Struct, frozen=True):
    """Who a request comes from, once its key is authenticated."""

    key_id: UUID
    role: Role
    student: str | None
    courses: tuple[UUID, ...] = ()
