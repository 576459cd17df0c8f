"""Every API answer that is an error is JSON, shaped as OpenAlex's are:
``{"error": ..., "message": ...}``, whatever produced it (an unknown route,
a method the route does not take, a NUL byte refused before the API, or a
fault in our own code)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

import orjson
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

PREFIX = "/api/"
# Exceptions Django itself answers with a 4xx (404, 403, 400): they are the
# client's fault, not ours; ``__call__`` turns the answer into JSON.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)
log = logging.getLogger(__name__)


def error_response(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        orjson.dumps({"error": HTTPStatus(status).phrase, "message": message}),
        status=status,
        content_type="application/json",
    )


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = {
                404: f"no API route {request.path}",
                405: f"{request.method} is not allowed here",
            }.get(response.status_code, HTTPStatus(response.status_code).description)
            converted = error_response(response.status_code, message)
            if "Allow" in response:
                converted["Allow"] = response["Allow"]
            return converted
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(PREFIX) or isinstance(exception, CLIENT_ERRORS):
            return None
        log.exception("API error on %s", request.get_full_path())
        return error_response(500, "the server failed to answer this request")
