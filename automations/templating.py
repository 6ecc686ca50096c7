"""What quick-step and reply templates share: the errors template code can raise while it
renders, the template line it was raised on, and how to say that in Dutch.

Templates come from admins (data, not code), run in Jinja's sandbox, and must never turn a
mistake into a 500: every render catches ``RENDER_ERRORS`` and reports ``problem`` with
``line``.
"""

from __future__ import annotations

from jinja2 import TemplateError as JinjaError
from jinja2 import UndefinedError

__all__ = ["RENDER_ERRORS", "line", "problem"]

# Jinja's errors (undefined names, the sandbox's SecurityError) and what Python raises inside
# a filter or an expression: the OverflowError of ``range(100001)`` in the sandbox, a TypeError
# of ``1 + 'a'``, the AssertionError of ``truncate(-5)``, a RecursionError (a RuntimeError).
RENDER_ERRORS: tuple[type[Exception], ...] = (
    JinjaError,
    ArithmeticError,
    AssertionError,
    AttributeError,
    LookupError,
    RuntimeError,
    TypeError,
    ValueError,
)


def line(exc: BaseException) -> int | None:
    """The template's line where ``exc`` was raised (Jinja rewrites tracebacks so template
    frames carry their own lines), or None."""
    found, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def problem(exc: BaseException) -> str:
    """What went wrong in a template, in Dutch."""
    if isinstance(exc, UndefinedError):
        return f"onbekende waarde ({exc.message})"
    if isinstance(exc, OverflowError):
        return "te groot (een bereik of getal boven de grens van de sandbox)"
    return f"kan niet worden opgemaakt ({type(exc).__name__}: {exc})"
