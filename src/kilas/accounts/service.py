"""Accounts: sign-up with age rules, login, browser sessions, API tokens, profiles, leaving Kilas."""

import asyncio
import hashlib
import io
import re
import secrets
from collections.abc import Sequence
from datetime import date, timedelta

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import ApiToken, User, WebSession
from kilas.accounts.passwords import hash_password, needs_rehash, verify_password
from kilas.accounts.provinces import GENDERS, PROVINCES
from kilas.db import on_commit, utcnow
from kilas.enums import AccountType
from kilas.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from kilas.feed.profiles import check_interests, choose_interests
from kilas.storage import Storage

USERNAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._]{1,22})[a-z0-9_]$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "api",
        "kilas",
        "login",
        "logout",
        "signup",
        "daftar",
        "masuk",
        "upload",
        "unggah",
        "settings",
        "pengaturan",
        "static",
        "media",
        "v",
        "u",
        "tag",
        "search",
        "cari",
        "feed",
        "about",
        "help",
        "support",
    }
)
MINIMUM_AGE = 13
ADULT_AGE = 18
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_AVATAR_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 320


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def normalize_username(username: str) -> str:
    return username.strip().lstrip("@").lower()


def check_signup(*, username: str, email: str, password: str, birth_date: date, today: date) -> None:
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            "Usernames are 3 to 24 characters: letters, numbers, dots and underscores.", field="username"
        )
    if username in RESERVED_USERNAMES:
        raise InvalidInput("That username is taken. Try another one.", field="username")
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise InvalidInput("Please enter a valid email address.", field="email")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput("Passwords need at least 8 characters.", field="password")
    if birth_date > today or birth_date.year < 1900:
        raise InvalidInput("Please enter your real date of birth.", field="birth_date")
    if age_on(birth_date, today) < MINIMUM_AGE:
        raise InvalidInput(
            "Sorry, you must be at least 13 years old to use Kilas.", code="too_young", field="birth_date"
        )


async def signup(
    *,
    db: AsyncSession,
    username: str,
    email: str,
    password: str,
    birth_date: date,
    display_name: str = "",
    account_type: AccountType = AccountType.personal,
    locale: str = "id",
    interests: Sequence[str] = (),
    today: date | None = None,
) -> User:
    """Create an account. Under 13 is refused; 13-17 year-olds start private. `interests` (topic
    slugs, optional) give the new viewer's For You a head start."""
    today = today or utcnow().date()
    username = normalize_username(username)
    email = email.strip().lower()
    check_signup(username=username, email=email, password=password, birth_date=birth_date, today=today)
    topics = check_interests(interests)
    taken = await db.scalar(
        select(func.count()).select_from(User).where(or_(User.username == username, User.email == email))
    )
    if taken:
        raise Conflict("That username or email is already registered.", code="account_exists")
    user = User(
        username=username,
        email=email,
        password_hash=hash_password(password),
        display_name=clean_display_name(display_name) or username,
        birth_date=birth_date,
        account_type=account_type,
        is_private=age_on(birth_date, today) < ADULT_AGE,
        locale=locale,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as error:  # a concurrent sign-up took the name between check and insert
        raise Conflict("That username or email is already registered.", code="account_exists") from error
    await choose_interests(db=db, user=user, slugs=topics)
    return user


def clean_display_name(name: str) -> str:
    return " ".join(name.split())[:50]


async def authenticate(*, db: AsyncSession, login: str, password: str) -> User:
    login = login.strip().lower().lstrip("@")
    user = await db.scalar(select(User).where(or_(User.username == login, User.email == login)))
    if not verify_password(user.password_hash if user else None, password[:MAX_PASSWORD_LENGTH]) or not user:
        raise NotAuthenticated("Wrong username or password.", code="bad_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(*, db: AsyncSession, user: User, days: int, previous_token: str | None = None) -> str:
    """A fresh session token for `user`; the previous one (if any) ends, so sessions rotate on login."""
    if previous_token:
        await end_session(db=db, token=previous_token)
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(token_hash=_hash_token(token), user_id=user.id, expires_at=utcnow() + timedelta(days=days))
    )
    await db.flush()
    return token


async def end_session(*, db: AsyncSession, token: str) -> None:
    await db.execute(delete(WebSession).where(WebSession.token_hash == _hash_token(token)))


async def get_user_for_session(*, db: AsyncSession, token: str) -> User | None:
    return await db.scalar(
        select(User)
        .join(WebSession, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _hash_token(token), WebSession.expires_at > utcnow())
    )


async def create_api_token(*, db: AsyncSession, user: User, name: str = "") -> str:
    token = "kls_" + secrets.token_urlsafe(32)
    db.add(ApiToken(token_hash=_hash_token(token), user_id=user.id, name=name[:100]))
    await db.flush()
    return token


async def get_user_for_api_token(*, db: AsyncSession, token: str) -> User | None:
    api_token = await db.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if api_token is None:
        return None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        api_token.last_used_at = now
    return await db.get(User, api_token.user_id)


async def get_user_by_username(*, db: AsyncSession, username: str) -> User:
    user = await db.scalar(select(User).where(User.username == normalize_username(username)))
    if user is None:
        raise NotFound("We couldn't find that account.", code="user_not_found")
    return user


async def update_profile(
    *,
    db: AsyncSession,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    account_type: AccountType | None = None,
    is_private: bool | None = None,
    locale: str | None = None,
    gender: str | None = None,
    province: str | None = None,
) -> User:
    """Change what is given; `None` leaves a field as it is. An empty gender or province clears it."""
    if display_name is not None:
        cleaned = clean_display_name(display_name)
        if not cleaned:
            raise InvalidInput("Your name can't be empty.", field="display_name")
        user.display_name = cleaned
    if bio is not None:
        if len(bio) > 300:
            raise InvalidInput("Your bio can be at most 300 characters.", field="bio")
        user.bio = bio.strip()
    if account_type is not None:
        user.account_type = account_type
    if is_private is not None:
        user.is_private = is_private
    if locale in ("id", "en"):
        user.locale = locale
    if gender is not None:
        if gender and gender not in GENDERS:
            raise InvalidInput("Please choose one of the options for gender.", field="gender")
        user.gender = gender or None
    if province is not None:
        if province and province not in PROVINCES:
            raise InvalidInput("Please choose a province from the list.", field="province")
        user.province = province or None
    await db.flush()
    return user


def reencode_avatar(data: bytes) -> bytes:
    """Decode the image, crop it square, and write a fresh JPEG (no metadata, no surprises)."""
    if len(data) > MAX_AVATAR_BYTES:
        raise InvalidInput("The photo is too large. The maximum is 5 MB.", field="avatar")
    Image.MAX_IMAGE_PIXELS = 40_000_000
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"JPEG", "PNG", "WEBP", "GIF"}:
                raise InvalidInput("Use a JPG, PNG or WebP photo.", field="avatar")
            upright = ImageOps.exif_transpose(image)
            square = ImageOps.fit(upright.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise InvalidInput("That file is not a photo we can use.", field="avatar") from error
    output = io.BytesIO()
    square.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


async def set_avatar(*, db: AsyncSession, storage: Storage, user: User, data: bytes) -> User:
    jpeg = reencode_avatar(data)
    old_key = user.avatar_key
    key = f"avatars/{user.id}-{secrets.token_hex(8)}/avatar.jpg"
    await asyncio.to_thread(storage.put_bytes, key, jpeg)
    user.avatar_key = key
    await db.flush()
    if old_key:
        old_folder = old_key.rsplit("/", 1)[0]

        async def remove_old() -> None:
            await asyncio.to_thread(storage.delete_prefix, old_folder)

        on_commit(db, remove_old)
    return user
