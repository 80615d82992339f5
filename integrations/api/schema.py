"""What drf-spectacular needs told: how our keys authenticate, and the problem
details every operation may answer with."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
                "required": ["pointer", "detail"],
            },
        },
    },
    "required": ["type", "title", "status"],
}
EVERY_OPERATION = {"401": "No valid API key or session.", "403": "The key's role may not do this.", "429": "Too many requests: see Retry-After."}
WRITES = {"400": "The body is not JSON.", "409": "The state of the record refuses it.", "422": "Some fields are not valid."}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An Orderdesk API key: `Authorization: Bearer od_…`."}


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.StaffSessionAuthentication"
    name = "adminSession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "A staff user's admin session."}


def add_problem_responses(result, generator, request, public):
    """Post-processing hook: the problems every operation can answer with, as problem+json."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            problems = dict(EVERY_OPERATION)
            if method in {"post", "put", "patch", "delete"}:
                problems.update(WRITES)
            for code, description in problems.items():
                operation["responses"].setdefault(code, {"description": description, "content": reference})
    return result
