"""Per-request context as a pure ASGI middleware (no extra task or response buffering per request):
the language, the CSRF and device cookies, and the security headers on every response."""

import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kilas.deps import CSRF_COOKIE, DEVICE_COOKIE
from kilas.web.i18n import current_locale, pick_locale

LANG_COOKIE = "kilas_lang"
YEAR = 365 * 24 * 3600


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, secure_cookies: bool, content_security_policy: str) -> None:
        self.app = app
        self.secure = secure_cookies
        self.policy = content_security_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        cookies = connection.cookies
        chosen = connection.query_params.get("lang") if scope.get("query_string") else None
        current_locale.set(pick_locale(chosen, cookies.get(LANG_COOKIE)))
        state = scope.setdefault("state", {})
        state["csrf_token"] = cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        state["device_id"] = cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for cookie in self._cookies(chosen, cookies, state):
                    headers.append("set-cookie", cookie)
                headers.setdefault("Content-Security-Policy", self.policy)
                headers["X-Content-Type-Options"] = "nosniff"
                headers.setdefault("X-Frame-Options", "DENY")
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
                if self.secure:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_context)

    def _cookies(self, chosen: str | None, cookies: dict[str, str], state: dict[str, object]) -> list[str]:
        jar = Response()
        if chosen in ("id", "en"):
            jar.set_cookie(LANG_COOKIE, chosen, max_age=YEAR, samesite="lax", secure=self.secure)
        if CSRF_COOKIE not in cookies or state.get("rotate_csrf"):
            jar.set_cookie(
                CSRF_COOKIE, str(state["csrf_token"]), httponly=True, samesite="lax", secure=self.secure
            )
        if DEVICE_COOKIE not in cookies:
            jar.set_cookie(
                DEVICE_COOKIE,
                str(state["device_id"]),
                max_age=YEAR,
                httponly=True,
                samesite="lax",
                secure=self.secure,
            )
        return [value.decode("latin-1") for name, value in jar.raw_headers if name == b"set-cookie"]
