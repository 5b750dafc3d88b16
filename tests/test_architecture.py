"""House rules that keep the layers apart (DESIGN §2 and the layer table in `bot/__init__.py`)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import LAYERS

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = {"store", "access", "cases", "answering", "teaching", "conversation"}


def _imports(package: str) -> dict[str, set[str]]:
    """Every module under `package` → the dotted names it imports (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{path}: use absolute imports"
                names.add(node.module)
                # `from bot import dedupe` imports the module bot.dedupe.
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def _roots(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def _layer_of_module(path: str) -> str:
    """'bot/cases/queue.py' → 'cases'; 'bot/errors.py' → 'ground'."""
    parts = Path(path).parts
    return parts[1] if len(parts) > 2 else "ground"


def _layer_of_import(name: str) -> str | None:
    """The layer an imported dotted name belongs to, or None when it is not ours."""
    parts = name.split(".")
    if parts[0] == "knowledge":
        return "knowledge"
    if parts[0] != "bot" or len(parts) == 1:
        return None
    return parts[1] if parts[1] in SUBPACKAGES else "ground"


def test_layer_table_names_every_subpackage() -> None:
    on_disk = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert on_disk == SUBPACKAGES
    assert set(LAYERS) == SUBPACKAGES | {"ground"}


def test_bot_layers_import_only_downwards() -> None:
    violations = []
    for path, names in _imports("bot").items():
        layer = _layer_of_module(path)
        for name in names:
            target = _layer_of_import(name)
            if target is not None and target != layer and target not in LAYERS[layer]:
                violations.append(f"{path} ({layer}) imports {name} ({target})")
    assert violations == []


def test_every_layer_package_says_what_it_exports() -> None:
    for name in SUBPACKAGES:
        init = ROOT / "bot" / name / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"bot/{name}/__init__.py needs a docstring"
        exported = [
            node
            for node in tree.body
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        ]
        assert exported, f"bot/{name}/__init__.py needs __all__"


def test_bot_is_channel_agnostic() -> None:
    forbidden = {"slack_bolt", "slack_sdk", "fastapi", "starlette", "handlers", "app"}
    leaks = {path: _roots(names) & forbidden for path, names in _imports("bot").items() if _roots(names) & forbidden}
    assert leaks == {}


def test_knowledge_depends_on_nothing_of_ours() -> None:
    forbidden = {"bot", "handlers", "app", "slack_bolt", "slack_sdk", "fastapi"}
    leaks = {
        path: _roots(names) & forbidden for path, names in _imports("knowledge").items() if _roots(names) & forbidden
    }
    assert leaks == {}


def test_handlers_never_import_the_composition_root() -> None:
    leaks = {path: "app" for path, names in _imports("handlers").items() if "app" in _roots(names)}
    assert leaks == {}


def test_only_settings_reads_the_environment() -> None:
    readers = []
    for package in ("bot", "knowledge", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if any(s in text for s in ("os.getenv(", "os.environ.get(", 'os.environ["', "environ.get(")):
                # knowledge/embeddings.py only *sets* offline flags before huggingface is imported.
                reads = [
                    line
                    for line in text.splitlines()
                    if ("getenv(" in line or "environ.get(" in line or ("environ[" in line and "] =" not in line))
                ]
                if reads:
                    readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_modules_stay_small() -> None:
    big = [
        str(p.relative_to(ROOT))
        for pkg in ("bot", "knowledge", "handlers")
        for p in (ROOT / pkg).rglob("*.py")
        if len(p.read_text(encoding="utf-8").splitlines()) > 500
    ]
    assert big == []
