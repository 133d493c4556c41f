"""Library templates (jinja2): untrusted text, run in a sandbox that cannot change or exhaust anything.

Lookup order: the library's own templates/ folder first, then the templates shipped with the
package, so staff override a document by putting a same-named file (e.g. templates/整改通知书.j2)
in their library.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from generator import PACKAGE_DIR
from generator.core.problems import UserError


def _clean(value):
    """Every value a template prints is one line that cannot start a heading."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    return "＃" + text[1:] if text.startswith("#") else text


_MAX_EXPONENT = 64
_MAX_REPEAT = 10_000


def template_environment(root: Path):
    import jinja2
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        """Library templates are untrusted: no attribute access such as __globals__ (sandbox), no changing
        the values they are given — settings.codes decides the 机关代字 of the number (immutable), and no
        arithmetic that would exhaust memory or time."""

        intercepted_binops = frozenset({"**", "*"})

        def call_binop(self, context, operator, left, right):
            sizes = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
                raise SecurityError(f"指数 {right} 过大")
            if operator == "*" and (isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))):
                if any(abs(v) > _MAX_REPEAT for v in sizes):
                    raise SecurityError("重复次数过多")
            return super().call_binop(context, operator, left, right)

    loaders = [jinja2.FileSystemLoader(str(root / "templates")), jinja2.FileSystemLoader(str(PACKAGE_DIR / "office" / "templates"))]
    return Sandbox(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                   autoescape=False, finalize=_clean, trim_blocks=True, lstrip_blocks=True)


def fill_template(env, kind: str, **values) -> str:
    """The template's text; a template that fails at run time (recursion, wrong types) is the library's
    problem, reported in Chinese — jinja2's own errors are reported by template_errors()."""
    import jinja2

    template = env.get_template(f"{kind}.j2")
    try:
        return template.render(**values)
    except jinja2.TemplateError:
        raise
    except (RecursionError, TypeError, ValueError, ArithmeticError, AttributeError, LookupError, MemoryError) as exc:
        raise UserError(f"{kind} 的模板无法生成正文（{type(exc).__name__}：{str(exc)[:200]}）；"
                        "请检查案例库 templates/ 中的这个模板") from None


@contextmanager
def template_errors(kind: str):
    """jinja2's errors (syntax, sandbox refusals, missing templates) as one Chinese line naming the template."""
    import jinja2

    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise UserError(f"{kind} 的模板试图访问不允许的内容，已拒绝（模板只能使用案例数据）：{exc}") from None
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"找不到模板 {exc.name}（模板只能放在案例库的 templates/ 中）") from None
    except jinja2.TemplateError as exc:
        raise UserError(f"{kind} 的模板无法生成正文：{exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{kind} 的模板不是 UTF-8 编码") from None
