"""siteindex: the site's sharded search index (format, codec, scoring, full and incremental builds,
the planner's facet files, the Python mirror of the browser worker) and the MkDocs search glue."""

from pathlib import Path


def source_files() -> list[str]:
    """The package-relative paths of this folder's modules: a cache of anything they write depends on them."""
    return [f"siteindex/{path.name}" for path in sorted(Path(__file__).parent.glob("*.py"))]
