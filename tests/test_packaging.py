"""Packaging and the house rules that CI enforces: the import direction, the wheel run from outside the
source tree, and a clean ``ruff check``."""

import ast
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: package folder -> import name (pyproject.toml's package-dir map)
PACKAGES = {"lossgeom": "lossgeom", "symbolic": "lossgeom.symbolic", "numeric": "lossgeom.numeric",
            "proofs": "lossgeom.proofs"}
#: what each layer may not import (dependencies flow core <- symbolic <- numeric <- proofs <- cli)
FORBIDDEN = {
    "core": ("lossgeom.symbolic", "lossgeom.numeric", "lossgeom.proofs", "lossgeom.cli", "lossgeom.commands"),
    "symbolic": ("lossgeom.numeric", "lossgeom.proofs", "lossgeom.cli", "lossgeom.commands"),
    "numeric": ("lossgeom.proofs", "lossgeom.cli", "lossgeom.commands"),
    "proofs": ("lossgeom.cli", "lossgeom.commands"),
}


#: upward imports allowed in lossgeom/__init__.py only, inside its module __getattr__ (run on first access)
LAZY_UPWARD = {"lossgeom.symbolic", "lossgeom.symbolic.check"}


def test_the_lazy_upward_import_is_inside_getattr():
    import lossgeom
    path = lossgeom.__file__
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n for n in top if n.level and (n.module or "").startswith("symbolic")], "only lazily, in __getattr__"
    assert lossgeom.check_formula is __import__("lossgeom.symbolic", fromlist=["check_formula"]).check_formula


def _modules():
    """(layer, module name, path) of every module in the four package folders."""
    out = []
    for folder, pkg in PACKAGES.items():
        base = os.path.join(ROOT, folder)
        for dirpath, _, files in os.walk(base):
            for fname in sorted(files):
                if not fname.endswith(".py"):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, fname), base)[:-3].replace(os.sep, ".")
                name = pkg if rel == "__init__" else pkg + "." + rel.removesuffix(".__init__")
                if folder == "lossgeom":
                    if name == "lossgeom.cli" or name.startswith("lossgeom.commands") or name == "lossgeom.__main__":
                        continue
                    layer = "core"
                else:
                    layer = folder
                out.append((layer, name, os.path.join(dirpath, fname)))
    return out


def _imports(name, path):
    """Every module name imported by the file, function-level imports included, relative ones resolved."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                mod = base + ("." + node.module if node.module else "")
            else:
                mod = node.module
            found.append(mod)
            found += [mod + "." + a.name for a in node.names]
    return found


def test_the_module_walk_sees_every_layer():
    layers = {layer for layer, _, _ in _modules()}
    assert layers == {"core", "symbolic", "numeric", "proofs"}


@pytest.mark.parametrize("layer,name,path", _modules(), ids=lambda v: v if isinstance(v, str) and "/" not in v else "")
def test_imports_flow_downwards(layer, name, path):
    bad = [m for m in _imports(name, path) for f in FORBIDDEN[layer] if m == f or m.startswith(f + ".")]
    if name == "lossgeom":  # the one exception: lossgeom.check_formula, imported lazily by lossgeom.__getattr__
        bad = [m for m in bad if m not in LAZY_UPWARD]
    assert not bad, "%s (%s layer) imports %s" % (name, layer, ", ".join(sorted(set(bad))))


def test_the_direction_check_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from ..numeric import evaluate\n    import lossgeom.proofs.claim\n")
    found = _imports("lossgeom.symbolic.bad", str(bad))
    assert "lossgeom.numeric" in found and "lossgeom.proofs.claim" in found


def test_no_second_copy_of_the_package():
    import importlib.util

    import lossgeom
    assert importlib.util.find_spec("lossgeom.lossgeom") is None
    assert importlib.util.find_spec("lossgeom.tests") is None
    assert not any(p == ROOT for p in lossgeom.__path__)


def test_wheel_installs_and_runs_outside_the_tree(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for item in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, item), src / item)
    for folder in PACKAGES:
        shutil.copytree(os.path.join(ROOT, folder), src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["wheel", "--no-deps", str(src), "-w", str(tmp_path / "wheel")], check=True,
                   capture_output=True)
    wheels = list((tmp_path / "wheel").glob("lossgeom-*.whl"))
    assert len(wheels) == 1
    site = tmp_path / "site"
    subprocess.run(pip + ["install", "--no-deps", "--target", str(site), str(wheels[0])], check=True,
                   capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    code = ("import lossgeom, lossgeom.symbolic, lossgeom.numeric.evaluate, lossgeom.proofs, importlib.util\n"
            "mods = [lossgeom, lossgeom.symbolic, lossgeom.numeric.evaluate, lossgeom.proofs]\n"
            "assert all(m.__file__.startswith(%r) for m in mods), [m.__file__ for m in mods]\n"
            "assert importlib.util.find_spec('lossgeom.lossgeom') is None\n"
            "print(len(lossgeom.proofs.list_claims()))\n" % str(site))
    run = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 0
    run = subprocess.run([sys.executable, "-m", "lossgeom", "verify", "botev2017.kronecker-block"], cwd=elsewhere,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "botev2017.kronecker-block" in run.stdout and "proved" in run.stdout
def test_ruff_is_clean():
    ruff = shutil.which("ruff") or os.path.join(os.path.dirname(sys.executable), "ruff")
    assert os.path.exists(ruff), "ruff is a test dependency"
    run = subprocess.run([ruff, "check", "--no-cache", ROOT], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


#: the house limits: a module about one idea, a function that fits on a screen
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 800, 80


def test_modules_and_functions_stay_small():
    too_big = []
    for _, name, path in _modules() + [("cli", "lossgeom.cli", os.path.join(ROOT, "lossgeom", "cli.py"))] + [
            ("cli", "lossgeom.commands." + f[:-3], os.path.join(ROOT, "lossgeom", "commands", f))
            for f in os.listdir(os.path.join(ROOT, "lossgeom", "commands")) if f.endswith(".py")]:
        src = open(path, encoding="utf-8").read()
        if src.count("\n") > MAX_MODULE_LINES:
            too_big.append("%s: %d lines" % (name, src.count("\n")))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_big.append("%s.%s: %d lines" % (name, node.name, length))
    assert not too_big, "over the limits (%d-line modules, %d-line functions): %s" % (
        MAX_MODULE_LINES, MAX_FUNCTION_LINES, "; ".join(too_big))
