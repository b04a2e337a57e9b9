from fastapi.responses import JSONResponse

from kilas.errors import DomainError
from kilas.web.i18n import gettext


def error_json(error: DomainError) -> JSONResponse:
    """The API's error shape, in the user's language."""
    message = gettext(error.message, **error.params)
    return JSONResponse({"error": {"code": error.code, "message": message}}, status_code=error.status)
