"""Option and argument values read without pydantic, so that a command starts fast.

Typer (0.29) turns every typed value through a pydantic ``TypeAdapter``, built when the
parameter is first read: loading pydantic and building the adapters of one command costs
a tenth of a second or more of every command's start (issue #18). The CLI's parameters
are a handful of plain types (text, whole numbers with optional bounds, flags, paths, a
date-time, an enum, and values read by our own ``parser=``), so each one is given a
plain reader here instead, which Typer's own ``RuntimeParam`` contract runs as it would
run the adapter. A parameter of any other type keeps Typer's pydantic reading.

Errors read as before: the parameter, what it must be, and the value as typed
(``'--limit' must be a whole number, not 'ten'``), one line on stderr with exit code 2.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from typer._click.core import Command, Context
from typer._coercion import RuntimeParam, TypeDescriptor
from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path
from typer.core import TyperGroup, _TyperParameter
from typer.models import ParameterInfo

from pegboard.cli._common import BadInput

Reader = Callable[[Any], Any]
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _whole(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError("must be a whole number") from None


def _number(value: Any) -> float:
    try:
        return float(str(value).strip()) if not isinstance(value, float) else value
    except ValueError:
        raise ValueError("must be a number") from None


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError("must be true or false")


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM") from None


def _bounded(read: Reader, info: ParameterInfo) -> Reader:
    """A number inside ``min``/``max``: clamped when the option says so, else refused."""
    low, high = info.min, info.max
    if low is None and high is None:
        return read

    def bounded(value: Any) -> Any:
        number = read(value)
        if low is not None and number < low:
            if not info.clamp:
                raise ValueError(f"must be greater than or equal to {low}")
            return type(number)(low)
        if high is not None and number > high:
            if not info.clamp:
                raise ValueError(f"must be less than or equal to {high}")
            return type(number)(high)
        return number

    return bounded


def _choice(choices: list[Any], info: ParameterInfo) -> Reader:
    def choose(value: Any) -> Any:
        return coerce_cli_choice(value, choices=choices, case_sensitive=info.case_sensitive)

    return choose


def _path(info: ParameterInfo, path_type: type[Any] | None) -> Reader:
    def path(value: Any) -> Any:  # Typer's own checks (exists, file_okay …), on a Path
        is_path = isinstance(path_type, type) and issubclass(path_type, Path)
        if is_path and path_type is not None and not isinstance(value, path_type):
            value = path_type(_text(value))  # as Typer's pydantic adapter would
        return coerce_cli_path(value, info, path_type=path_type)

    return path


_PLAIN: dict[Any, Reader] = {str: _text, bool: _flag, datetime: _moment}


def reader(annotation: Any, info: ParameterInfo) -> Reader | None:
    """How to read one value of ``annotation``; ``None`` when only pydantic knows."""
    if info.parser is not None:
        return info.parser
    if annotation in _PLAIN:
        return _PLAIN[annotation]
    if annotation is int:
        return _bounded(_whole, info)
    if annotation is float:
        return _bounded(_number, info)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice(list(annotation), info)
    if routes_to_path(annotation, info):
        is_path = isinstance(annotation, type) and issubclass(annotation, Path)
        return _path(info, info.path_type or (annotation if is_path else None))
    return None


@dataclass(frozen=True)
class PlainRuntimeParam(RuntimeParam):
    """Typer's coercion contract met by ``read`` (one value, or each of a list's)."""

    read: Reader
    many: bool

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if self.many and isinstance(value, list | tuple):
            return [self._one(item, param, ctx) for item in value]
        return self._one(value, param, ctx)

    def _one(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            return self.read(value)
        except ValueError as e:
            raise BadInput(
                f"{param.get_error_hint()} {e}, not {value!r}", ctx=ctx, param=param
            ) from None


def plain_runtime(descriptor: TypeDescriptor) -> PlainRuntimeParam | None:
    """The plain reading of a parameter, or ``None`` to leave it to Typer (a file, a
    tuple, a type of its own)."""
    if descriptor.file_annotation is not None or descriptor.is_tuple:
        return None
    annotation: Any = descriptor.annotation
    many = descriptor.is_list
    if many:
        (annotation,) = get_args(annotation)
    read = reader(annotation, descriptor.parameter_info)
    if read is None:
        return None
    return PlainRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        read=read,
        many=many,
    )


def without_pydantic(command: Command) -> Command:
    """Give each parameter of ``command`` (and of its loaded sub-commands) its plain
    reader, before any value is read; parameters Typer made its own way are left alone.
    The ``--help`` option is made here too (Click makes it once, on first parse, and
    reads its value like any other)."""
    for param in [*command.params, command.get_help_option(Context(command))]:
        if isinstance(param, _TyperParameter) and getattr(param, "_runtime_param", ...) is None:
            param._runtime_param = plain_runtime(param.type_descriptor)
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            without_pydantic(sub)
    return command
