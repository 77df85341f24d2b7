"""Version of the isce package (single source for pyproject and SConstruct)."""
release_version = "0.1.0"
release_date = "2026-11-25"
