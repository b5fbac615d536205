"""The budget every template render runs under (rules' templates, the API's, MQTT discovery's
value templates; here in the core because automations and the integrations both render
templates a person or a device wrote, and neither may import the other; jinja2 is imported
only by whoever imports this module): a count of operations, a deadline and a
size limit on what it builds, so that one runaway template (nested `range(100000)` loops, a
recursive macro, `'x'.ljust(10**9)`) fails alone instead of freezing the hub.

Why an operation counter and not only a thread with a deadline: a Python thread cannot be
stopped from outside, so a render must stop itself. Every loop iteration, call, attribute
or item lookup, filter, `~` and output passes through the sandbox here (for loops are
rewritten at parse time to iterate through `budget_iter`), and each charges the budget; the
deadline is read on those charges. Sizes are checked *before* what could allocate a lot
(widths, joins, replacements, formatting, conversion of a container to text), since after
would be too late."""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.runtime
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.optimizer import Optimizer
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_RESULT_ITEMS = 100_000  # `'a' * 10**10` would take the hub's memory
MAX_EXPONENT = 10_000
MAX_INT_BITS = 100_000  # 30,000 decimal digits: more than any home needs
MAX_TEXT = 1_000_000  # characters any one value or the output may have
_WIDE = 7  # a width of 7 digits or more in a format specification is over MAX_TEXT


class TemplateError(Exception):
    """A template that failed while rendering (bad arithmetic, undefined name, sandbox)."""

    info: Any = None  # templates.RenderInfo: what it read before failing


class TemplateOverBudget(TemplateError):
    """A render that used up its operations, time or size."""


@dataclass(frozen=True, slots=True)
class TemplateLimits:
    operations: int
    seconds: float  # real time, not the hub's clock: it bounds the CPU a render takes


# on the event loop (automations, WebSocket re-renders) a render must be short; a worker
# thread (the API's renders) may take longer, the loop goes on meanwhile
LOOP_LIMITS = TemplateLimits(operations=200_000, seconds=0.25)
WORKER_LIMITS = TemplateLimits(operations=1_000_000, seconds=1.0)


class _Budget:
    __slots__ = ("deadline", "limits", "operations", "output")

    def __init__(self, limits: TemplateLimits) -> None:
        self.limits = limits
        self.operations = limits.operations
        self.output = MAX_TEXT
        self.deadline = time.monotonic() + limits.seconds

    def charge(self, operations: int = 1, output: int = 0) -> None:
        self.operations -= operations
        self.output -= output
        if self.operations < 0:
            raise TemplateOverBudget(
                f"template over budget: more than {self.limits.operations} operations"
            )
        if self.output < 0:
            raise TemplateOverBudget(f"template over budget: output over {MAX_TEXT} characters")
        # reading the clock costs more than counting: every 256 operations is often enough
        if not self.operations & 0xFF and time.monotonic() > self.deadline:
            raise TemplateOverBudget(
                f"template over budget: rendering took over {self.limits.seconds:g} s"
            )


def text_size(value: Any, limit: int = MAX_TEXT) -> int:
    """About how many characters `str(value)` makes, counted only up to just over `limit`.
    Containers are sized once each (a list holding itself twice, two hundred levels deep,
    is 2**200 characters as text and 200 steps here)."""
    return _size(value, limit, {}, 0)


def _size(item: Any, limit: int, memo: dict[int, int], depth: int) -> int:
    if isinstance(item, str | bytes):
        return len(item) + 2
    if isinstance(item, bool) or item is None or isinstance(item, float):
        return 8
    if isinstance(item, int):
        return item.bit_length() // 3 + 2
    if isinstance(item, range):
        return 8 * len(item)
    if isinstance(item, dict):
        children: Iterable[Any] = (x for pair in item.items() for x in pair)
    elif isinstance(item, list | tuple | set | frozenset):
        children = item
    else:
        return 16
    known = memo.get(id(item))
    if known is not None:
        return known
    if depth > 100:  # str() of it would fail anyway
        return limit + 1
    total = 2
    for child in children:
        if isinstance(child, str):  # the common case, without a call
            total += len(child) + 4
        else:
            total += 2 + _size(child, limit, memo, depth + 1)
        if total > limit:
            break
    memo[id(item)] = total
    return total


def check_size(value: Any, what: str) -> None:
    if text_size(value) > MAX_TEXT:
        raise TemplateOverBudget(f"{what} would be over {MAX_TEXT} characters")


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_TEXT:
        raise TemplateOverBudget(f"{what}: width {width} over {MAX_TEXT}")


# `%200000000d`, `%*d` (a width from the arguments), `{:>200000000}`, `{:{w}}`
_PERCENT_WIDE = re.compile(r"%[^a-zA-Z%]*(?:\*|\d{" + str(_WIDE) + ",})")
_BRACE_WIDE = re.compile(r"\{[^{}]*:[^{}]*(?:\{|\d{" + str(_WIDE) + ",})")


def _check_format(fmt: str, args: Iterable[Any], percent: bool) -> None:
    pattern = _PERCENT_WIDE if percent else _BRACE_WIDE
    if pattern.search(fmt):
        raise TemplateOverBudget("formatting with a computed or very large width is refused")
    check_size([fmt, *args], "the formatted text")


# str methods that build text from a width or a count
_STR_WIDTH = frozenset({"ljust", "rjust", "center", "zfill"})


def _check_str_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    text = method.__self__
    name = method.__name__
    if name in _STR_WIDTH and args:
        _check_width(args[0], f"str.{name}")
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(tab, int) and len(text) * max(tab, 1) > MAX_TEXT:
            raise TemplateOverBudget(f"str.expandtabs would be over {MAX_TEXT} characters")
    elif name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        if isinstance(old, str) and isinstance(new, str):
            times = text.count(old) if old else len(text) + 1
            if len(text) + times * len(new) > MAX_TEXT:
                raise TemplateOverBudget(f"str.replace would be over {MAX_TEXT} characters")
    elif name == "join" and args:
        items = args[0]
        if not isinstance(items, list | tuple | str | range | set | frozenset | dict):
            raise TemplateOverBudget("str.join takes a list here (make one with |list)")
        if text_size(items) + len(items) * len(text) > MAX_TEXT:
            raise TemplateOverBudget(f"str.join would be over {MAX_TEXT} characters")


# filters with a width or a count among their arguments, and where the value is
_WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap", "batch", "slice", "truncate"})
# filters that turn their value into text: a container's text is sized first
_TEXT_FILTERS = frozenset(
    {"string", "join", "format", "pprint", "tojson", "replace", "e", "escape", "forceescape",
     "urlencode", "indent", "center", "wordwrap", "truncate", "title", "upper", "lower",
     "capitalize", "trim", "striptags", "safe", "xmlattr", "wordcount", "urlize"}
)  # fmt: skip


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses arguments that would make too much, and results over size."""

    @functools.wraps(func)  # keeps `jinja_pass_arg` (pass_context / pass_environment)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
        if len(args) > skip and isinstance(args[skip], Iterator):
            # `range(100000)|map('center', 10**6)|join`: what a lazy chain makes is counted
            # as it is made, not after a join has held all of it
            args = (*args[:skip], _bounded_list(args[skip], name), *args[skip + 1 :])
        values = args[skip:]
        if name in _WIDTH_FILTERS:
            for width in (*values[1:], *kwargs.values()):
                _check_width(width, f"|{name}")
        if name == "format" and values and isinstance(values[0], str):
            _check_format(values[0], (*values[1:], *kwargs.values()), percent=True)
        if name in _TEXT_FILTERS:
            for value in (*values, *kwargs.values()):
                if not isinstance(value, int | float | bool) and value is not None:
                    check_size(value, f"the value given to |{name}")
        result = func(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_TEXT:
            raise TemplateOverBudget(f"|{name} made over {MAX_TEXT} characters")
        return result

    return guarded


def _bounded_list(items: Iterator[Any], name: str) -> list[Any]:
    out: list[Any] = []
    size = 0
    for item in items:
        out.append(item)
        size += text_size(item)
        if size > MAX_TEXT or len(out) > MAX_RESULT_ITEMS:
            raise TemplateOverBudget(f"the values given to |{name} are over {MAX_TEXT} characters")
    return out


class _Counted:
    """What a for loop iterates: the source's items, each charging the budget."""

    __slots__ = ("_budget", "_items", "_weight")

    def __init__(self, items: Any, budget: _Budget | None, weight: int) -> None:
        self._items = items
        self._budget = budget
        self._weight = weight

    def __len__(self) -> int:  # loop.length without a second pass
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        budget, weight = self._budget, self._weight
        for item in self._items:
            if budget is not None:
                budget.charge(1, weight)
            yield item


def _literal_size(node: nodes.Node) -> int:
    return sum(len(data.data) for data in node.find_all(nodes.TemplateData))


def _budget_call(attribute: str, *args: nodes.Node) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(attribute), list(args), [], None, None)


class _Folding(Optimizer):
    """Jinja's constant folding, except that a constant which fails to fold is left to the
    render, where a failure is the template's own error: Jinja folds `'a'.l ~ 'b'` at compile
    time and the undefined `'a'.l` raised UndefinedError out of `from_string` (found by
    bench/fuzz.py), which neither a syntax error nor a render error catches."""

    def generic_visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> nodes.Node:
        node = NodeTransformer.generic_visit(self, node, *args, **kwargs)
        if isinstance(node, nodes.Expr):
            try:
                value = node.as_const(args[0] if args else None)
                return nodes.Const.from_untrusted(
                    value, lineno=node.lineno, environment=self.environment
                )
            except Exception:  # Impossible, or any error folding: it is the render's
                pass
        return node


class _CodeGenerator(CodeGenerator):
    """`a ~ b` through `budget_concat`, which checks the size before joining; constants
    folded by `_Folding`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.optimizer is not None:
            self.optimizer = _Folding(self.environment)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.budget_concat(")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")")


class BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with a budget: see the module's docstring. The budget is per thread, so a
    render in a worker thread and one on the event loop do not share it."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _CodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=self._finalize, **options)
        self._local = threading.local()
        self.globals.pop("lipsum", None)  # loops in Python over its count: nothing to charge

    def guard_filters(self) -> None:
        """Wrap every filter (call after adding the hub's own)."""
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}

    # -- the budget -------------------------------------------------------------------------

    @property
    def budget(self) -> _Budget | None:
        budget: _Budget | None = getattr(self._local, "budget", None)
        return budget

    def run(self, limits: TemplateLimits, render: Callable[[], str]) -> str:
        outer = self.budget
        self._local.budget = _Budget(limits)
        try:
            result = render()
        finally:
            self._local.budget = outer
        if len(result) > MAX_TEXT:
            raise TemplateOverBudget(f"template over budget: output over {MAX_TEXT} characters")
        return result

    def _charge(self, operations: int = 1, output: int = 0) -> None:
        budget = self.budget
        if budget is not None:
            budget.charge(operations, output)

    def budget_iter(self, items: Any, weight: int = 0) -> _Counted:
        return _Counted(items, self.budget, weight)

    def budget_concat(self, *parts: Any) -> str:
        check_size(list(parts), "'~'")
        self._charge(1)
        return "".join(str(p) for p in parts)

    def _finalize(self, value: Any) -> str:
        if isinstance(value, str):
            text = value
        else:
            check_size(value, "an output")
            text = str(value)
        self._charge(1, len(text))
        return text

    # -- parse-time rewriting -----------------------------------------------------------------

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            weight = _literal_size(loop)
            loop.iter = _budget_call("budget_iter", loop.iter, nodes.Const(weight))
            if loop.recursive:  # `loop(children)` iterates outside the rewritten `for`
                for call in loop.find_all(nodes.Call):
                    if isinstance(call.node, nodes.Name) and call.node.name == "loop":
                        call.args[0:1] = [_budget_call("budget_iter", *call.args[:1])]
        return tree

    # -- the sandbox's hooks ------------------------------------------------------------------

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._charge()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._charge()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format(fmt, (*args, *kwargs.values()), percent=False)
            return wrapped(*args, **kwargs)

        return checked

    def call(
        __self,
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        __self._charge()
        if isinstance(getattr(__obj, "__self__", None), str):
            _check_str_method(__obj, args, kwargs)
        for value in (*args, *kwargs.values()):
            if isinstance(value, str | list | tuple | dict | set):
                check_size(value, "an argument")
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str | list | tuple) and len(result) > MAX_TEXT:
            raise TemplateOverBudget(f"a call made over {MAX_TEXT} items")
        return result

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        self._charge()
        if operator == "*":
            _check_times(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right if isinstance(right, tuple) else (right,), percent=True)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, str | list | tuple) and len(result) > MAX_TEXT:
            raise TemplateOverBudget(f"{operator!r} made over {MAX_TEXT} items")
        return result


def _check_times(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if (
            isinstance(seq, str | list | tuple)
            and isinstance(times, int)
            and len(seq) * times > MAX_RESULT_ITEMS
        ):
            raise TemplateOverBudget(
                f"'*' would make {len(seq) * times} items (max {MAX_RESULT_ITEMS})"
            )
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INT_BITS
    ):
        raise TemplateOverBudget(f"'*' would make a number over {MAX_INT_BITS} bits")


def _check_power(left: Any, right: Any) -> None:
    if not isinstance(right, int | float) or not isinstance(left, int | float) or abs(left) <= 1:
        return
    if abs(right) > MAX_EXPONENT:
        raise TemplateOverBudget(f"'**' exponent {right} too large (max {MAX_EXPONENT})")
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() * right > MAX_INT_BITS
    ):
        raise TemplateOverBudget(f"'**' would make a number over {MAX_INT_BITS} bits")
