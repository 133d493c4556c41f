"""Problems found in case files, reported in Chinese with file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, replace

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    field: str = ""
    line: int | None = None
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_warning(self) -> "Problem":
        return replace(self, severity=WARNING)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" 第 {self.line} 行"
        if self.field:
            where += f"，字段 {self.field}"
        return f"[{self.severity}] {where}：{self.message}"


class LibraryError(Exception):
    """Raised when a library cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UserError(Exception):
    """A clear, non-traceback error for the command line (message in Chinese)."""


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def format_report(problems: list[Problem]) -> str:
    errors = errors_in(problems)
    warnings = [p for p in problems if not p.is_error]
    lines = [str(p) for p in errors + warnings]
    lines.append(f"共 {len(errors)} 个错误，{len(warnings)} 个警告。")
    return "\n".join(lines)
