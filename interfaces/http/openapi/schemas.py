"""JSON Schemas from attrs classes: request bodies, query parameters and rendered shapes.

A field's schema comes from its resolved type (str, int, bool, float, datetime, enums, lists,
`tuple[X, ...]`, `X | None`, nested attrs classes), then what `fields.notes` says of it: limits
and prose.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import attrs

from interfaces.http.bodies import NULL_MEANS
from interfaces.http.converter import SHAPES, Shape

Schema = dict[str, Any]
Notes = Callable[[type, str], Schema]
SCALARS: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}
BODY_RULE = "Unknown fields, and nulls where a field does not take one, are rejected (400)."


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def optional_of(tp: Any) -> Any:
    """X for `X | None` or `Optional[X]`; None for a type that is not such a union."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = typing.get_args(tp)
    rest = [arg for arg in args if arg is not type(None)]
    if len(rest) != 1 or len(args) != 2:
        raise TypeError(f"Only `X | None` unions have a schema here, not {tp!r}")
    return rest[0]


def json_value(value: Any) -> Any:
    """A default as JSON has it: an enum member's value, a tuple's items as a list."""
    if isinstance(value, Enum):
        return value.value
    return list(value) if isinstance(value, tuple) else value


def array_item(tp: Any) -> Any:
    """X of `list[X]` or `tuple[X, ...]` (a JSON array either way); other tuples have none."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple and (len(args) != 2 or args[1] is not Ellipsis):
        raise TypeError(f"Only `tuple[X, ...]` tuples have a schema here, not {tp!r}")
    return args[0]


def closed_object(properties: dict[str, Schema], required: list[str], about: str) -> Schema:
    schema: Schema = {"type": "object"}
    if about:
        schema["description"] = about
    schema.update(required=required, properties=properties, additionalProperties=False)
    return schema


class Schemas:
    """The components/schemas of one document, each added when first met."""

    def __init__(self, notes: Notes, descriptions: Mapping[str, str]) -> None:
        self.notes = notes
        self.descriptions = descriptions
        self.components: dict[str, Schema] = {}
        self.shape_names = {shape.cls: name for name, shape in SHAPES.items()}

    # Inputs: a field with a default may be left out; `None` means absent, never null.

    def body(self, cls: type) -> Schema:
        """A $ref to the schema of a request body, or of an object nested in one."""
        name = cls.__name__
        if name not in self.components:
            self.components[name] = {}  # taken: a class nested in itself refers to it
            properties, required = {}, []
            for field in attrs.fields(attrs.resolve_types(cls)):
                properties[field.name] = self.input_field(cls, field)
                if field.default is attrs.NOTHING:
                    required.append(field.name)
            about = " ".join(filter(None, [self.descriptions.get(name), BODY_RULE]))
            self.components[name] = closed_object(properties, required, about)
        return ref(name)

    def parameters(self, cls: type) -> list[Schema]:
        """The query parameters of a query class, its fields' descriptions on the parameters."""
        found = []
        for field in attrs.fields(attrs.resolve_types(cls)):
            schema = self.input_field(cls, field)
            parameter: Schema = {"name": field.name, "in": "query"}
            if "description" in schema:
                parameter["description"] = schema.pop("description")
            if field.default is attrs.NOTHING:
                parameter["required"] = True
            found.append({**parameter, "schema": schema})
        return found

    def input_field(self, owner: type, field: attrs.Attribute[Any]) -> Schema:
        schema = self.refine(self.of_type(field.type, self.body, nulls=False), owner, field.name)
        if field.name in NULL_MEANS.get(owner, {}):  # a field that takes null (see NULL_MEANS)
            schema = nullable(schema)
        default = field.default
        # No default keyword for None (absent) nor for a factory (made per instance).
        if default not in (attrs.NOTHING, None) and not isinstance(default, attrs.Factory):
            schema["default"] = json_value(default)
        return schema

    # Outputs: every key is there (but a shape's `optional` ones), and `None` is null.

    def shape(self, name: str, shape: Shape, items: str | None = None) -> Schema:
        """A $ref to the schema of a rendered shape; `items` names the element of a generic one."""
        params = getattr(shape.cls, "__parameters__", ())
        bound = {param: ref(items) for param in params} if items else {}
        properties = self.shape_properties(shape, bound)
        required = [key for key in properties if key not in shape.optional]
        self.components[name] = closed_object(properties, required, self.descriptions.get(name, ""))
        return ref(name)

    def shape_properties(self, shape: Shape, bound: Mapping[Any, Schema]) -> dict[str, Schema]:
        properties: dict[str, Schema] = {}
        for field in attrs.fields(attrs.resolve_types(shape.cls)):
            if field.name in shape.inline:
                properties.update(self.shape_properties(self.shape_of(field.type), bound))
            elif field.name not in shape.hidden:
                properties[field.name] = self.output_field(shape.cls, field.name, field.type, bound)
        for key, tp in shape.extra.items():
            properties[key] = self.output_field(shape.cls, key, tp, bound)
        return properties

    def output_field(self, owner: type, name: str, tp: Any, bound: Mapping[Any, Schema]) -> Schema:
        return self.refine(self.of_type(tp, self.rendered, nulls=True, bound=bound), owner, name)

    def shape_of(self, cls: type) -> Shape:
        name = self.shape_names.get(cls)
        return SHAPES[name] if name else Shape(cls=cls)

    def rendered(self, cls: type) -> Schema:
        """A $ref to the shape a nested attrs class is rendered as (all its fields by default)."""
        name = self.shape_names.get(cls, cls.__name__)
        if name not in self.components:
            self.components[name] = {}  # taken: a class nested in itself refers to it
            self.shape(name, self.shape_of(cls))
        return ref(name)

    # Both.

    def of_type(
        self,
        tp: Any,
        nested: Callable[[type], Schema],
        *,
        nulls: bool,
        bound: Mapping[Any, Schema] | None = None,
    ) -> Schema:
        inner = optional_of(tp)
        if inner is not None:
            schema = self.of_type(inner, nested, nulls=nulls, bound=bound)
            return nullable(schema) if nulls else schema
        if isinstance(tp, TypeVar):
            return dict((bound or {})[tp])
        if typing.get_origin(tp) in (list, tuple):
            item = array_item(tp)
            return {"type": "array", "items": self.of_type(item, nested, nulls=nulls, bound=bound)}
        if tp in SCALARS:
            return {"type": SCALARS[tp]}
        if tp is datetime:
            return ref("Timestamp")
        if isinstance(tp, type) and issubclass(tp, Enum):
            return self.enum(tp)
        if attrs.has(tp):
            return nested(tp)
        raise TypeError(f"No schema for {tp!r}")

    def enum(self, cls: type[Enum]) -> Schema:
        values = [member.value for member in cls]
        kind = "string" if all(isinstance(value, str) for value in values) else "integer"
        self.components.setdefault(cls.__name__, {"type": kind, "enum": values})
        return ref(cls.__name__)

    def refine(self, schema: Schema, owner: type, name: str) -> Schema:
        """The type's schema with the field's notes; a note with a $ref stands for the type."""
        note = self.notes(owner, name)
        return note if "$ref" in note else {**schema, **note}
