from typing import Annotated, Any

from fastapi import APIRouter, Request, UploadFile
from fastapi import Form as FormField

from kilas.accounts import privacy, service
from kilas.accounts.schemas import MeOut, ProfileUpdateIn, SignupIn, TokenIn, TokenOut, UserOut
from kilas.deps import CurrentUser, DbSession, Limiter, OptionalUser, Settings, Storage
from kilas.errors import InvalidInput
from kilas.social.service import is_following
from kilas.videos.presenters import present_videos
from kilas.videos.schemas import VideoListOut
from kilas.videos.service import list_profile_videos
from kilas.web.i18n import current_locale

router = APIRouter(tags=["accounts"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/signup", status_code=201)
async def signup(
    body: SignupIn, request: Request, db: DbSession, limiter: Limiter, settings: Settings
) -> MeOut:
    limiter.hit(settings.signup_rate, "signup", client_ip(request))
    user = await service.signup(
        db=db,
        username=body.username,
        email=body.email,
        password=body.password,
        birth_date=body.birth_date,
        display_name=body.display_name,
        account_type=body.account_type,
        locale=current_locale.get(),
        interests=body.interests,
    )
    return MeOut.build_me(user)


@router.post("/auth/token", status_code=201)
async def create_token(
    body: TokenIn, request: Request, db: DbSession, limiter: Limiter, settings: Settings
) -> TokenOut:
    limiter.hit(settings.login_rate, "login", client_ip(request))
    limiter.hit(settings.login_rate, "login-account", body.login.strip().lower())
    user = await service.authenticate(db=db, login=body.login, password=body.password)
    return TokenOut(access_token=await service.create_api_token(db=db, user=user, name=body.name))


@router.get("/me")
async def me(user: CurrentUser) -> MeOut:
    return MeOut.build_me(user)


@router.patch("/me")
async def update_me(body: ProfileUpdateIn, user: CurrentUser, db: DbSession) -> MeOut:
    await service.update_profile(db=db, user=user, **body.model_dump(exclude_unset=True))
    return MeOut.build_me(user)


@router.put("/me/avatar")
async def upload_avatar(avatar: UploadFile, user: CurrentUser, db: DbSession, storage: Storage) -> MeOut:
    data = await avatar.read(service.MAX_AVATAR_BYTES + 1)
    await service.set_avatar(db=db, storage=storage, user=user, data=data)
    return MeOut.build_me(user)


@router.get("/me/export")
async def export_my_data(user: CurrentUser, db: DbSession) -> dict[str, Any]:
    return await privacy.export_user_data(db=db, user=user)


@router.post("/me/delete", status_code=204)
async def delete_me(
    password: Annotated[str, FormField(max_length=256)], user: CurrentUser, db: DbSession, storage: Storage
) -> None:
    """Erase the account and everything in it. Asks for the password again."""
    await privacy.delete_account(db=db, storage=storage, user=user, password=password)


@router.get("/users/{username}")
async def get_user(username: str, db: DbSession, viewer: OptionalUser) -> UserOut:
    user = await service.get_user_by_username(db=db, username=username)
    follows = await is_following(db, viewer.id, user.id) if viewer else None
    return UserOut.build(user, followed_by_me=follows)


@router.get("/users/{username}/videos")
async def user_videos(
    username: str, db: DbSession, viewer: OptionalUser, cursor: str | None = None
) -> VideoListOut:
    owner = await service.get_user_by_username(db=db, username=username)
    page = await list_profile_videos(db=db, owner=owner, viewer=viewer, before_id=parse_id_cursor(cursor))
    return VideoListOut(videos=await present_videos(db, page.videos, viewer), next_cursor=page.next_cursor)


def parse_id_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdigit() or len(cursor) > 19:
        raise InvalidInput("The page cursor is not valid.", field="cursor")
    return int(cursor)
