"""The package's folders are layers (docs/architecture.md): each imports only the layers below it,
only cli.py imports Typer, and ``transync.__all__`` names what ``import transync`` gives."""

import ast
from pathlib import Path

import pytest

import transync

PACKAGE = Path(transync.__file__).resolve().parent

#: Bottom to top; a module may import its own layer and those before it.
LAYERS = ("document", "site", "translate", "checks", "report", "cli")
#: Importable from every layer: no transync import of their own but the version.
BASE = {"transync", "transync.errors", "transync.fsutil"}
#: The known imports upwards, each with its reason (docs/architecture.md says the same).
ALLOWED_UP = {
    # The engine registry validates [translate.<engine>] tables while the configuration loads.
    ("transync.site.config", "transync.translate.engines"),
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # "from transync.site import status" imports the module transync.site.status.
            folder = PACKAGE.parent.joinpath(*node.module.split("."))
            for alias in node.names:
                is_module = (folder / alias.name).is_dir() or (folder / f"{alias.name}.py").exists()
                found.append(f"{node.module}.{alias.name}" if is_module else node.module)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_scan_sees_every_layer():
    layers = {_layer(_module(p)) for p in SOURCES}
    assert set(LAYERS) <= layers
    assert len(SOURCES) > 40


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_its_layer_and_those_below(path):
    module = _module(path)
    mine = _layer(module)
    if mine is None:
        assert module in BASE | {"transync.__main__"}, f"{module}: a module outside the layer folders"
        return
    upward = []
    for target in _imports(path):
        theirs = _layer(target)
        if theirs is None or not target.startswith("transync."):
            continue
        if LAYERS.index(theirs) > LAYERS.index(mine) and (module, target) not in ALLOWED_UP:
            upward.append(target)
    assert upward == [], f"{module} ({mine}) imports a layer above it: {upward}"


def test_only_cli_imports_typer_or_rich():
    importers = {
        _module(p) for p in SOURCES for t in _imports(p) if t.split(".")[0] in ("typer", "rich", "click")
    }
    assert importers == {"transync.cli"}


def test_the_allowed_upward_imports_still_exist():
    """An exception that is no longer needed is taken off the list (it would hide a new one)."""
    for module, target in ALLOWED_UP:
        path = PACKAGE.parent.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        assert target in _imports(path), (module, target)


def test_every_public_name_resolves():
    assert "load_config" in transync.__all__ and "check_site" in transync.__all__
    for name in transync.__all__:
        assert getattr(transync, name) is not None, name
    with pytest.raises(AttributeError):
        transync.not_a_name  # noqa: B018
