"""Where a case library and its site live, and loading it (stages load + validate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.core.model import Case
from generator.core.problems import LibraryError, Problem, errors_in
from generator.core.taxonomy import Taxonomy, load_taxonomy
from generator.core.validate import load_library_files


@dataclass(frozen=True)
class Library:
    """A loaded library: its valid cases, every problem found, and the taxonomy they were checked against."""

    cases: list[Case]
    problems: list[Problem]
    taxonomy: Taxonomy
    fingerprints: dict[str, str] = field(default_factory=dict)  # case id → digest of its file and the validator


@dataclass(frozen=True)
class Project:
    root: Path
    cases_dir: Path

    @classmethod
    def at(cls, root: str | Path = ".", cases_dir: str | Path | None = None) -> "Project":
        root = Path(root).resolve()
        cases = Path(cases_dir).resolve() if cases_dir else root / "cases"
        return cls(root=root, cases_dir=cases)

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def index_dir(self) -> Path:
        return self.build_dir / "index"

    @property
    def cache_dir(self) -> Path:
        return self.build_dir / "cache"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def outputs_manifest(self) -> Path:
        """What the tool wrote for --out (name and SHA-256): those files it may replace."""
        return self.build_dir / "outputs.json"

    def never_overwrite(self, path: Path) -> str | None:
        """Why path may never be replaced by an output, even with --force (None: it may, with consent)."""
        import hashlib

        from generator.office.register import HEAD_FILE, REGISTER_FILE, read_entries

        target = path.resolve()
        if target in (self.root / REGISTER_FILE, self.root / HEAD_FILE) or target.name in (REGISTER_FILE, HEAD_FILE):
            return "它是文号登记簿"
        if self.cases_dir in target.parents or (target.suffix.lower() in (".yaml", ".yml") and self.root in target.parents):
            return "它是案例文件或案例库的设置文件"
        if target.is_file():
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            issued = next((e for e in read_entries(self.root) if e.sha256 == digest), None)
            if issued is not None:
                return f"它是已印发的文书 {issued.doc_number}"
        return None

    def write_output(self, path: Path, data: bytes, *, force: bool = False) -> Path:
        """The one way every --out is written (see core/outputs.py)."""
        from generator.core.outputs import write_output
        from generator.core.problems import UserError

        if self.cases_dir.resolve() in Path(path).resolve().parents:
            raise UserError(f"拒绝写入 {path}：它在案例目录 {self.cases_dir} 之内，会被当作案例文件读取；请换一个位置")
        return write_output(path, data, manifest=self.outputs_manifest, force=force, never=self.never_overwrite)

    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.root)

    def load(self, state=None) -> Library:
        """state: the build state (infra/buildstate.py) to read and update; by default the project's own,
        saved here."""
        from generator.infra.buildstate import BuildState

        own = state is None
        state = BuildState(self.cache_dir) if own else state
        taxonomy = self.taxonomy()
        cases, problems, fingerprints = load_library_files(self.cases_dir, taxonomy, state)
        if own:
            state.save()
        return Library(cases, problems, taxonomy, fingerprints)

    def load_valid(self, state=None) -> Library:
        """Load the library; raise LibraryError when any error exists."""
        library = self.load(state)
        if errors_in(library.problems):
            raise LibraryError(library.problems)
        return library
