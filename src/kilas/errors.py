"""Domain errors: raised by services, turned into a 4xx by one handler in the user's language.

`message` is an English sentence that doubles as the translation key; `params` fill its {placeholders}.
"""

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "Something in the request is not right."

    def __init__(self, message: str | None = None, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        if code:
            self.code = code
        self.params = params


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    message = "Please log in first."


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do that."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "We couldn't find that. It may have been deleted or made private."


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"
    message = "The file is too large."


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message = "Too many attempts. Please wait a moment and try again."


class UploadRejected(DomainError):
    status = 422
    code = "upload_rejected"
