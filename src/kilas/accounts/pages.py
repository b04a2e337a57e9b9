import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from kilas.accounts import privacy, service
from kilas.accounts.routes import client_ip
from kilas.db import rollback
from kilas.deps import (
    SESSION_COOKIE,
    CurrentUser,
    DbSession,
    Limiter,
    OptionalUser,
    Settings,
    Storage,
    check_csrf,
)
from kilas.enums import AccountType
from kilas.errors import DomainError, InvalidInput
from kilas.social.service import is_blocked_between, is_following
from kilas.videos.presenters import present_videos
from kilas.videos.service import list_profile_videos
from kilas.web.i18n import current_locale
from kilas.web.middleware import LANG_COOKIE, YEAR
from kilas.web.pages import form_error, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
TextField = Annotated[str, Form(max_length=300)]


def _login_response(request: Request, token: str, settings: Settings, next_url: str) -> Response:
    response = redirect(safe_next(next_url))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    request.state.rotate_csrf = True
    return response


@router.get("/signup", response_class=HTMLResponse)
async def signup_form(request: Request, viewer: OptionalUser, next: str = "/") -> Response:
    if viewer:
        return redirect(safe_next(next))
    return render(request, "accounts/signup.html", {"next": safe_next(next), "form": {}})


@router.post("/signup", response_class=HTMLResponse)
async def signup(
    request: Request,
    db: DbSession,
    settings: Settings,
    limiter: Limiter,
    username: TextField,
    email: TextField,
    password: TextField,
    birth_date: TextField,
    csrf_token: TextField,
    display_name: TextField = "",
    account_type: TextField = "personal",
    interests: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 (FastAPI copies it)
    next: TextField = "/",
) -> Response:
    form = {
        "username": username,
        "email": email,
        "display_name": display_name,
        "birth_date": birth_date,
        "account_type": account_type,
        "interests": interests,
    }
    try:
        check_csrf(request, csrf_token)
        limiter.hit(settings.signup_rate, "signup", client_ip(request))
        try:
            born = date.fromisoformat(birth_date)
        except ValueError as error:
            raise InvalidInput("Please enter your date of birth.", field="birth_date") from error
        chosen_type = (
            AccountType(account_type) if account_type in AccountType.__members__ else AccountType.personal
        )
        user = await service.signup(
            db=db,
            username=username,
            email=email,
            password=password,
            birth_date=born,
            display_name=display_name,
            account_type=chosen_type,
            locale=current_locale.get(),
            interests=interests,
        )
        token = await service.start_session(db=db, user=user, days=settings.session_days)
    except DomainError as error:
        await rollback(db)
        return render(
            request,
            "accounts/signup.html",
            {"form": form, "next": safe_next(next), **form_error(error)},
            status_code=error.status,
        )
    return _login_response(request, token, settings, next)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, viewer: OptionalUser, next: str = "/") -> Response:
    if viewer:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"next": safe_next(next), "login": ""})


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    db: DbSession,
    settings: Settings,
    limiter: Limiter,
    login: Annotated[str, Form(max_length=254)],
    password: TextField,
    csrf_token: TextField,
    next: TextField = "/",
) -> Response:
    try:
        check_csrf(request, csrf_token)
        limiter.hit(settings.login_rate, "login", client_ip(request))
        limiter.hit(settings.login_rate, "login-account", login.strip().lower())
        user = await service.authenticate(db=db, login=login, password=password)
        token = await service.start_session(
            db=db, user=user, days=settings.session_days, previous_token=request.cookies.get(SESSION_COOKIE)
        )
    except DomainError as error:
        await rollback(db)
        return render(
            request,
            "accounts/login.html",
            {"login": login, "next": safe_next(next), **form_error(error)},
            status_code=error.status,
        )
    return _login_response(request, token, settings, next)


@router.post("/logout")
async def logout(request: Request, db: DbSession, csrf_token: TextField) -> Response:
    check_csrf(request, csrf_token)
    if token := request.cookies.get(SESSION_COOKIE):
        await service.end_session(db=db, token=token)
        request.app.state.identities.forget(token)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE)
    request.state.rotate_csrf = True
    return response


@router.get("/@{username}", response_class=HTMLResponse)
async def profile(request: Request, username: str, db: DbSession, viewer: OptionalUser) -> Response:
    user = await service.get_user_by_username(db=db, username=username)
    follows = bool(viewer and viewer.id != user.id and await is_following(db, viewer.id, user.id))
    blocked = bool(viewer and viewer.id != user.id and await is_blocked_between(db, viewer.id, user.id))
    page = await list_profile_videos(db=db, owner=user, viewer=viewer)
    videos = await present_videos(db, page.videos, viewer)
    return render(
        request,
        "accounts/profile.html",
        {
            "user": user,
            "videos": videos,
            "follows": follows,
            "blocked": blocked,
            "is_me": bool(viewer and viewer.id == user.id),
            "hidden": not videos
            and user.is_private
            and not follows
            and not (viewer and viewer.id == user.id),
        },
    )


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "accounts/settings.html", {"user": user})


@router.post("/settings", response_class=HTMLResponse)
async def save_settings(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    csrf_token: TextField,
    display_name: TextField,
    bio: Annotated[str, Form(max_length=1000)] = "",
    account_type: TextField = "personal",
    is_private: TextField = "",
    locale: TextField = "id",
    gender: TextField = "",
    province: TextField = "",
) -> Response:
    try:
        check_csrf(request, csrf_token)
        await service.update_profile(
            db=db,
            user=user,
            display_name=display_name,
            bio=bio,
            account_type=AccountType(account_type) if account_type in AccountType.__members__ else None,
            is_private=bool(is_private),
            locale=locale,
            gender=gender,
            province=province,
        )
    except DomainError as error:
        await rollback(db)
        await db.refresh(user)
        return render(
            request, "accounts/settings.html", {"user": user, **form_error(error)}, status_code=error.status
        )
    response = redirect("/settings?saved=1")
    if locale in ("id", "en"):
        response.set_cookie(LANG_COOKIE, locale, max_age=YEAR, samesite="lax")
    return response


@router.post("/settings/avatar", response_class=HTMLResponse)
async def save_avatar(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    storage: Storage,
    csrf_token: TextField,
    avatar: UploadFile,
) -> Response:
    try:
        check_csrf(request, csrf_token)
        await service.set_avatar(
            db=db, storage=storage, user=user, data=await avatar.read(service.MAX_AVATAR_BYTES + 1)
        )
    except DomainError as error:
        return render(
            request, "accounts/settings.html", {"user": user, **form_error(error)}, status_code=error.status
        )
    return redirect("/settings?saved=1")


@router.get("/settings/export")
async def export_data(user: CurrentUser, db: DbSession) -> Response:
    data = await privacy.export_user_data(db=db, user=user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="kilas-{user.username}.json"'},
    )


@router.post("/settings/delete", response_class=HTMLResponse)
async def delete_account(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    storage: Storage,
    csrf_token: TextField,
    password: TextField,
) -> Response:
    try:
        check_csrf(request, csrf_token)
        await privacy.delete_account(db=db, storage=storage, user=user, password=password)
    except DomainError as error:
        await rollback(db)
        await db.refresh(user)
        return render(
            request, "accounts/settings.html", {"user": user, **form_error(error)}, status_code=error.status
        )
    response = redirect("/?goodbye=1")
    response.delete_cookie(SESSION_COOKIE)
    return response
