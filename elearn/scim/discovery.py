"""What the server publishes about itself (RFC 7643 §5-7): the service provider
configuration, the User resource type and the schemas of the attributes it keeps.
Only attributes that map to a column are published; values the server checks
against a list (countries, languages) name that list as canonical values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

from ..catalog import Catalog
from ..i18n import LOCALES

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#: the most resources one page of a query returns
MAX_RESULTS = 200


def _attribute(name: str, kind: str = "string", **more) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **more,
    }


def service_provider_config(base_url: str) -> dict:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "documentationUri": None,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "API token",
                "description": "An API token with the scim scope, as “Authorization: Bearer TOKEN”.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base_url}/ServiceProviderConfig"},
    }


class SchemaExtension(TypedDict):
    schema: str
    required: bool


class ResourceMeta(TypedDict):
    resourceType: str
    location: str


class ResourceType(TypedDict):
    """RFC 7643 §6 (scim2-models' schema of it wants an absolute URL as endpoint, which
    the RFC does not)."""

    schemas: list[str]
    id: str
    name: str
    #: relative to the service's base URL
    endpoint: str
    description: str
    schema: str
    schemaExtensions: list[SchemaExtension]
    meta: ResourceMeta


class ResourceTypeList(TypedDict):
    schemas: list[str]
    totalResults: int
    startIndex: int
    itemsPerPage: int
    Resources: list[ResourceType]


def user_resource_type(base_url: str) -> ResourceType:
    return {
        "schemas": [RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A person who trains",
        "schema": CORE_USER,
        "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": False}],
        "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
    }


def schemas(catalog: Catalog, base_url: str) -> list[dict]:
    countries = sorted(catalog.regions)
    locales = list(LOCALES)
    core = [
        _attribute("userName", required=True, uniqueness="server", description="The employee ID (the HR key)"),
        _attribute(
            "name",
            "complex",
            required=True,
            subAttributes=[_attribute("formatted", required=True, description="The full name")],
        ),
        _attribute("displayName", description="The name in the person's own script, shown on certificates"),
        _attribute("preferredLanguage", canonicalValues=locales),
        # an account is active or not: removing the value would mean neither (sent without it: active)
        _attribute("active", "boolean", required=True),
        _attribute(
            "emails",
            "complex",
            multiValued=True,
            subAttributes=[
                _attribute("value"),
                _attribute("type", canonicalValues=["work"]),
            ],
        ),
        _attribute(
            "addresses",
            "complex",
            multiValued=True,
            required=True,  # the work country picks the regional module and the helplines
            subAttributes=[
                _attribute("type", canonicalValues=["work"]),
                _attribute("country", required=True, canonicalValues=countries),
            ],
        ),
    ]
    enterprise = [
        _attribute("department"),
        # Read-only here: a manager is known by their email (reminders go to it), and a
        # person may have none. Sent anyway, it is kept only if it names a User with one.
        _attribute(
            "manager",
            "complex",
            mutability="readOnly",
            subAttributes=[
                _attribute("value", description="The id of the manager's User resource"),
                _attribute("$ref", "reference", referenceTypes=["User"]),
            ],
        ),
    ]
    return [
        {
            "schemas": [SCHEMA],
            "id": CORE_USER,
            "name": "User",
            "description": "User account",
            "attributes": core,
            "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{CORE_USER}"},
        },
        {
            "schemas": [SCHEMA],
            "id": ENTERPRISE_USER,
            "name": "EnterpriseUser",
            "description": "Enterprise User",
            "attributes": enterprise,
            "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{ENTERPRISE_USER}"},
        },
    ]


def list_response(resources: Sequence[Mapping[str, object]], total: int, start_index: int = 1) -> dict:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
