"""One URL, one operation class per HTTP method.

Django picks a view by path before it looks at the method, so GET /achievements/ (AchievementListApi) and
POST /achievements/ (AchievementCreateApi) need one entry point. `method_route` hands each request whole to
its operation class (its own authentication, permissions, parsers and errors), and shows the schema
generator a stand-in class whose methods are the operations' own, annotations included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework.views import APIView


class MethodRouteView(APIView):
    """Schema stand-in: each attribute the schema generator reads comes from the operation of the method."""

    operations: dict[str, type[APIView]] = {}

    def _operation(self) -> type[APIView]:
        method = (getattr(getattr(self, "request", None), "method", None) or "get").lower()
        return self.operations.get(method) or next(iter(self.operations.values()))

    def get_permissions(self) -> list[Any]:
        return [permission() for permission in self._operation().permission_classes]

    def get_authenticators(self) -> list[Any]:
        return [authenticator() for authenticator in self._operation().authentication_classes]

    def get_parsers(self) -> list[Any]:
        return [parser() for parser in self._operation().parser_classes]

    @property
    def pagination_class(self) -> Any:
        return getattr(self._operation(), "pagination_class", None)


def method_route(**operations: type[APIView]) -> Callable[..., HttpResponseBase]:
    """A URL view that serves each HTTP method (get=..., post=...) with its own operation class."""
    callbacks = {method: operation.as_view() for method, operation in operations.items()}
    fallback = next(iter(callbacks.values()))  # answers 405 for methods nobody serves

    # Each operation class knows only its own method; OPTIONS and 405 answers must list every one this URL serves.
    served = {method.upper() for method in operations} | {"OPTIONS"} | ({"HEAD"} if "get" in operations else set())
    allow = ", ".join(sorted(served))

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        method = (request.method or "GET").lower()
        callback = callbacks.get("get" if method == "head" else method, fallback)
        response = callback(request, *args, **kwargs)
        if response.has_header("Allow"):
            response["Allow"] = allow
        return response

    attrs: dict[str, Any] = {"operations": operations, "__doc__": MethodRouteView.__doc__}
    attrs.update({method: getattr(operation, method) for method, operation in operations.items()})
    name = "".join(operation.__name__.removesuffix("Api") for operation in operations.values()) + "Route"
    view.cls = type(name, (MethodRouteView,), attrs)  # type: ignore[attr-defined]
    view.initkwargs = {}  # type: ignore[attr-defined]
    # Each operation's as_view() is CSRF-exempt already; DRF's SessionAuthentication enforces CSRF itself.
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view
