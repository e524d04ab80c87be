"""The layers of docs/ARCHITECTURE.md hold (issue 13).

- ``lint-imports`` (the import-linter layers contract in pyproject.toml) passes on the code as it is,
- and fails on a copy of the code with one backward import added (the contract can fail),
- no application module imports another app inside a function (the way cycles used to be dodged).
"""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CONFIG = tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]
APPS = list(CONFIG["root_packages"])
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _copy_apps(target: Path) -> None:
    shutil.copy(BASE / "pyproject.toml", target / "pyproject.toml")
    for app in APPS:
        shutil.copytree(
            BASE / app,
            target / app,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "locale", "*.mo", "*.po"),
        )


def test_the_layers_contract_is_kept():
    result = _lint_imports(BASE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_backward_import_breaks_the_contract(tmp_path):
    _copy_apps(tmp_path)
    assert _lint_imports(tmp_path).returncode == 0  # the copy alone is fine
    # posts (layer 4) must not know approvals (layer 6).
    (tmp_path / "posts" / "backward.py").write_text("from approvals import workflow  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "posts.backward -> approvals.workflow" in result.stdout


def _application_modules():
    for app in APPS:
        for path in sorted((BASE / app).rglob("*.py")):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            yield app, path


def _function_local_imports(app: str, path: Path, root: Path = BASE):
    tree = ast.parse(path.read_text(), filename=str(path))
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in APPS and top != app:
                    yield f"{path.relative_to(root)}:{node.lineno} imports {module} in {function.name}()"


def test_no_function_local_import_of_another_app():
    found = [hit for app, path in _application_modules() for hit in _function_local_imports(app, path)]
    assert found == []


@pytest.mark.parametrize(
    ("source", "hits"),
    [
        ("def f():\n    from approvals import services\n", 1),
        ("def f():\n    import publishing.tasks\n", 1),
        ("class A:\n    def ready(self):\n        from approvals.models import Review\n", 1),
        ("def f():\n    from posts.models import Post\n", 0),  # its own app
        ("from approvals import services\n", 0),  # module level: the contract judges it
    ],
)
def test_the_scan_finds_a_function_local_import(tmp_path, source, hits):
    module = tmp_path / "x.py"
    module.write_text(source)
    assert len(list(_function_local_imports("posts", module, root=tmp_path))) == hits


@pytest.mark.django_db
def test_old_administration_addresses_lead_to_the_moved_models(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/publishing/channel/3/change/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/admin/channels/channel/3/change/?x=1"
    assert client.get("/admin/approvals/auditevent/")["Location"] == "/admin/audit/auditevent/"
