"""A marshmallow schema compiled into plain functions, for raw values that are already well typed.

Profiling a rebuild showed marshmallow's generic machinery (per-field dispatch, error
collection, hook lookup) costing more than parsing and mapping a record together. The
format modules hand the schema values of exactly the right types, so for them its work
reduces to each field's ``clean`` step, its validators and the schema's ``finish``.
``compile_loader`` builds exactly that from the schema's own fields, so the schema stays
the one contract; anything unusual (a required value missing, None, a wrong type, a
failed validator) is handed to ``schema.load`` itself, which gives marshmallow's own
result or ``ValidationError``. A field kind it does not know is refused when compiling,
never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing

Step = Callable[[Any], Any]
_ABSENT = object()


class _Unusual(Exception):
    """The fast path cannot vouch for a value; marshmallow decides."""


def compile_loader(schema: Schema) -> Callable[[Mapping[str, Any]], Any]:
    """``schema.load`` for one mapping, fast when every value has its field's type."""
    fast = _schema_step(schema)

    def load(raw: Mapping[str, Any]) -> Any:
        try:
            return fast(raw)
        except (_Unusual, ValidationError):
            return schema.load(raw)

    return load


def _schema_step(schema: Schema) -> Step:
    """Load a mapping field by field, then the schema's ``finish``."""
    hooks = [name for name in dir(type(schema))
             if hasattr(getattr(type(schema), name), "__marshmallow_hook__")]
    if schema.unknown != EXCLUDE or schema.many or hooks != ["make"]:
        raise TypeError(f"{type(schema).__name__}: only EXCLUDE schemas whose one hook "
                        "is a post_load ``make`` calling ``finish`` compile")
    plan = [(name, _field_step(field), field.required, field.load_default)
            for name, field in schema.fields.items()]
    finish = type(schema).finish  # type: ignore[attr-defined]

    def step(raw: Any) -> Any:
        if not isinstance(raw, Mapping):
            raise _Unusual
        data = {}
        for name, convert, required, default in plan:
            value = raw.get(name, _ABSENT)
            if value is _ABSENT:
                if required or default is missing:
                    raise _Unusual  # an error, or a key marshmallow leaves out
                value = default() if callable(default) else default
            else:
                value = convert(value)
            data[name] = value
        return finish(data)

    return step


def _field_step(field: fields.Field) -> Step:
    """Base type check, then the field's ``clean`` and validators (no wrapper for none)."""
    if field.data_key or field.attribute or getattr(field, "pre_load", None) \
            or getattr(field, "post_load", None):
        raise TypeError(f"field {field.name!r}: renamed or hooked fields do not compile")
    step = _base_step(field)
    clean = getattr(field, "clean", None)
    if clean is not None:
        base = step

        def step(value: Any) -> Any:
            return clean(base(value))

    validators = tuple(field.validators)
    if validators:
        unchecked = step

        def step(value: Any) -> Any:
            value = unchecked(value)
            if any(check(value) is False for check in validators):
                raise _Unusual
            return value

    return step


def _base_step(field: fields.Field) -> Step:
    """What the field's own base class makes of a value of the right type (never None)."""
    if isinstance(field, fields.Nested):
        return _schema_step(field.schema)  # type: ignore[arg-type]
    if isinstance(field, fields.List):
        inner = _field_step(field.inner)
        return lambda value: [inner(item) for item in _exact(value, list, tuple)]
    if isinstance(field, fields.String):
        return lambda value: _exact(value, str)
    if type(field) in (fields.Integer, fields.Boolean):
        kind = int if isinstance(field, fields.Integer) else bool
        return lambda value: value if type(value) is kind else _unusual()
    if type(field).__bases__ == (fields.Field,) and hasattr(field, "clean"):
        return lambda value: value if value is not None else _unusual()  # ``clean`` does it
    raise TypeError(f"field {field.name!r}: {type(field).__name__} does not compile")


def _exact(value: Any, *kinds: type) -> Any:
    """The value itself when it is one of ``kinds``."""
    if not isinstance(value, kinds):
        raise _Unusual
    return value


def _unusual() -> Any:
    """Raise from inside an expression."""
    raise _Unusual
