"""The JSON API: resources, schemas, exports and the OpenAPI document."""
