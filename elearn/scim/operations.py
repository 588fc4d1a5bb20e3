"""How the SCIM views are described in the OpenAPI document (elearn/api/openapi.py):
`scim_operation` is `describe` with what every SCIM operation shares (media type, error
body, token scheme, tag), and the parameters they read. Bodies are the scim2-models
models the views read and write (ScimUser...), or a TypedDict where the server builds
JSON those models describe otherwise (an error's status is a string in the JSON)."""

# no `from __future__ import annotations`: under it Python 3.11 cannot see NotRequired
from typing import Any, Literal, NotRequired, TypedDict

from ..api.openapi import describe, path_parameter, query_parameter

MEDIA_TYPE = "application/scim+json"


class ScimError(TypedDict):
    """RFC 7644 §3.12."""

    schemas: list[Literal["urn:ietf:params:scim:api:messages:2.0:Error"]]
    #: the HTTP status, as a string
    status: str
    #: invalidFilter, uniqueness, invalidSyntax, invalidValue, ...
    scimType: NotRequired[str]
    detail: NotRequired[str]


def scim_operation(summary: str, **options: Any):
    return describe(
        summary,
        media_type=MEDIA_TYPE,
        error_schema=ScimError,
        security_scheme="scimToken",
        tags=("SCIM",),
        **options,
    )


USER_ID = path_parameter("person_id", "The id of the User resource (its `id`, not its userName)")
#: attributes/excludedAttributes (RFC 7644 §3.4.2.5)
SHOWN_ATTRIBUTES = [
    query_parameter("attributes", "Comma-separated attribute names to return", {"type": "string"}),
    query_parameter("excludedAttributes", "Comma-separated attribute names to leave out", {"type": "string"}),
]
QUERY = [
    query_parameter(
        "filter",
        'userName, externalId or id eq "value" (the only filters supported)',
        {"type": "string", "examples": ['userName eq "E1001"']},
    ),
    query_parameter("startIndex", "1-based index of the first result", {"type": "integer"}),
    query_parameter("count", "Results per page (at most 200)", {"type": "integer"}),
    *SHOWN_ATTRIBUTES,
]
