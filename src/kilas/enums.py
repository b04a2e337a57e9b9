"""Enums shared by several capabilities, stored in the database by value."""

import enum
from typing import Any

from sqlalchemy import Enum


class AccountType(enum.StrEnum):
    personal = "personal"
    creator = "creator"
    business = "business"


class Visibility(enum.StrEnum):
    public = "public"
    followers = "followers"
    private = "private"


class VideoStatus(enum.StrEnum):
    processing = "processing"
    ready = "ready"
    failed = "failed"


def db_enum(enum_class: type[enum.Enum], **kwargs: Any) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        **kwargs,
    )
