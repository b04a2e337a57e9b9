from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kilas.accounts.models import User
from kilas.enums import AccountType


class SignupIn(BaseModel):
    username: str = Field(max_length=100)
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    birth_date: date
    display_name: str = Field(default="", max_length=100)
    account_type: AccountType = AccountType.personal
    interests: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Topic slugs (GET /api/v1/topics) to start For You with; optional",
    )


class TokenIn(BaseModel):
    login: str = Field(max_length=254, description="Username or email")
    password: str = Field(max_length=256)
    name: str = Field(default="", max_length=100, description="A label for this token, e.g. the device")


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class ProfileUpdateIn(BaseModel):
    display_name: str | None = Field(default=None, max_length=100)
    bio: str | None = Field(default=None, max_length=1000)
    account_type: AccountType | None = None
    is_private: bool | None = None
    locale: str | None = Field(default=None, pattern="^(id|en)$")
    gender: Literal["female", "male", ""] | None = Field(
        default=None, description="Optional, for audience statistics only; null or '' clears it"
    )
    province: str | None = Field(
        default=None, max_length=40, description="One of Indonesia's 38 provinces; null or '' clears it"
    )

    @field_validator("gender", "province", mode="before")
    @classmethod
    def _null_clears(cls, value: object) -> object:
        return "" if value is None else value


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    bio: str
    avatar_url: str | None
    account_type: AccountType
    is_private: bool
    followers_count: int
    following_count: int
    likes_received_count: int
    url: str
    followed_by_me: bool | None = None

    @classmethod
    def build(cls, user: User, *, followed_by_me: bool | None = None) -> "UserOut":
        return cls(
            username=user.username,
            display_name=user.display_name,
            bio=user.bio,
            avatar_url=avatar_url(user),
            account_type=user.account_type,
            is_private=user.is_private,
            followers_count=user.followers_count,
            following_count=user.following_count,
            likes_received_count=user.likes_received_count,
            url=f"/@{user.username}",
            followed_by_me=followed_by_me,
        )


class MeOut(UserOut):
    email: str
    birth_date: date
    locale: str
    created_at: datetime
    gender: str | None = None
    province: str | None = None

    @classmethod
    def build_me(cls, user: User) -> "MeOut":
        base = UserOut.build(user).model_dump()
        return cls(
            **base,
            email=user.email,
            birth_date=user.birth_date,
            locale=user.locale,
            created_at=user.created_at,
            gender=user.gender,
            province=user.province,
        )


def avatar_url(user: User) -> str | None:
    return f"/media/{user.avatar_key}" if user.avatar_key else None
