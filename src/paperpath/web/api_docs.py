"""The offline API documentation (/api/docs): each operation of the OpenAPI schema with its
parameters, body, response and a curl line to try it. FastAPI's own pages load their
scripts from a CDN, which an offline tool cannot."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

# Values the curl examples use for parameters (real ids of the built-in canon).
EXAMPLES: dict[str, Any] = {
    "pid": "1706.03762", "id": "1706.03762", "q": "diffusion models", "card_id": 1,
    "job_id": "map-1", "liked": "1706.03762", "level": 3, "limit": 5, "week": "2026-W48",
    "signal": "like", "text": "They replace recurrence with attention only, which trains "
    "faster and translates better.", "rating": 3, "minutes": 45, "body": "My note.",
    "interests": ["diffusion models"], "math_comfort": 3,
}
METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return dict(components.get(ref.rsplit("/", 1)[-1], {}))
    return schema


def type_name(schema: dict[str, Any]) -> str:
    """A short type for a schema: string, integer, array of string, ReadIn, ..."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        names = [type_name(s) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        return " | ".join(names) + (" or null" if nullable else "")
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"list of {type_name(schema.get('items', {}))}"
    return kind


def example(name: str, schema: dict[str, Any], components: dict[str, Any],
            depth: int = 0) -> Any:
    """An example value for a schema, from `EXAMPLES`, the default or the type."""
    if name in EXAMPLES:
        return EXAMPLES[name]
    schema = _resolve(schema, components)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example(name, options[0], components, depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" and depth < 3:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        # the required fields, and the optional ones an example teaches
        return {k: example(k, v, components, depth + 1) for k, v in props.items()
                if k in required or k in EXAMPLES}
    if kind == "array":
        return []
    return {"integer": 1, "number": 1.0, "boolean": True}.get(str(kind), "text")


def _curl(method: str, path: str, query: dict[str, Any], body: Any, base: str) -> str:
    url = base + path + ("?" + urlencode(query, doseq=True) if query else "")
    parts = ["curl", "-s"]
    if method != "get":
        parts += ["-X", method.upper()]
    parts.append(f"'{url}'")
    if body is not None:
        parts += ["-H", "'Content-Type: application/json'", "-d",
                  "'" + json.dumps(body).replace("'", "'\\''") + "'"]
    return " ".join(parts)


def operations(schema: dict[str, Any], base: str) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI schema, in the schema's order, ready for the template."""
    components = schema.get("components", {}).get("schemas", {})
    out: list[dict[str, Any]] = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params, query, filled = [], {}, path
            for p in op.get("parameters", []):
                pschema = p.get("schema", {})
                params.append({"name": p["name"], "in": p["in"],
                               "required": bool(p.get("required")),
                               "type": type_name(pschema), "default": pschema.get("default"),
                               "description": p.get("description", "")})
                if p["in"] == "path":
                    filled = filled.replace("{" + p["name"] + "}",
                                            quote(str(example(p["name"], pschema, components)),
                                                  safe="/:"))
                elif p.get("required") or p["name"] in EXAMPLES:
                    query[p["name"]] = example(p["name"], pschema, components)
            body_schema = (op.get("requestBody", {}).get("content", {})
                           .get("application/json", {}).get("schema"))
            body = example("", body_schema, components) if body_schema else None
            ok = next((code for code in op.get("responses", {}) if code.startswith("2")), "200")
            returned = (op["responses"].get(ok, {}).get("content", {})
                        .get("application/json", {}).get("schema"))
            out.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "tags": op.get("tags", []),
                "params": params, "anchor": op.get("operationId", f"{method}-{path}"),
                "body": type_name(body_schema) if body_schema else None,
                "body_example": json.dumps(body, indent=2) if body is not None else None,
                "status": ok, "returns": type_name(returned) if returned else None,
                "curl": _curl(method, filled, query, body, base)})
    return out


def models(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The request and response shapes: each model's fields with type and description."""
    out = []
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        if name in ("HTTPValidationError", "ValidationError"):
            continue
        required = set(model.get("required", []))
        out.append({"name": name, "description": model.get("description", ""), "fields": [
            {"name": field, "type": type_name(spec), "required": field in required,
             "description": spec.get("description", "")}
            for field, spec in model.get("properties", {}).items()]})
    return out
