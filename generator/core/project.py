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

    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.root)

    def load_library(self, state=None) -> Library:
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
        library = self.load_library(state)
        if errors_in(library.problems):
            raise LibraryError(library.problems)
        return library
