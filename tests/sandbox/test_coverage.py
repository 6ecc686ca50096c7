"""The coverage list in the repo says exactly what the sandbox implements."""

from sandbox import coverage, resources


def test_coverage_file_lists_every_route() -> None:
    assert coverage.PATH.read_text(encoding="utf-8") == coverage.render(), (
        "sandbox/COVERAGE.md is stale: run `python -m sandbox.coverage`"
    )


def test_every_resource_module_exists() -> None:
    import importlib

    for name in resources.MODULES:
        assert importlib.import_module(name).router.routes, f"{name} has no routes"
