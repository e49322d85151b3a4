"""Claims from outside lossgeom: a research group's own module, loaded without editing lossgeom.

A claims module is written exactly like a built-in source module (``proofs/botev2017.py``): it
calls :func:`~lossgeom.proofs.register_claim` at import for each claim, whose check returns an
:class:`~lossgeom.proofs.Evidence`, and may set a module-level ``ORDER`` (default 100; the built-in
sources use less, so a user's claims come after them).  Two ways in:

- ``lossgeom verify --module PATH_OR_DOTTED`` (repeatable), or :func:`load_claim_module` from Python:
  a file path ending in ``.py`` or a dotted module name importable from ``sys.path``;
- an installed package declaring an entry point in the group ``lossgeom.claims``
  (``[project.entry-points."lossgeom.claims"] own = "own_claims.claims"``), which ``lossgeom verify``
  and ``lossgeom report`` load (:func:`load_entry_point_claims`; ``--no-plugins`` skips them).

Every claim id of a user module starts with the module's own source name: its ``CLAIM_PREFIX`` if it
sets one, else its module name (the file's stem); ``register_claim("gn-linear", ...)`` in a module
``own`` becomes ``own.gn-linear``.  A module that fails to import, registers an id twice (or one of the
built-in catalog's), or takes a built-in source's name, is refused with a
:class:`~lossgeom.errors.ClaimDefinitionError` naming the module; whatever it registered is removed,
so the built-in catalog is never broken.  See ``docs/own-claims.md``.
"""

import dataclasses
import importlib
import importlib.util
import os
import re
import sys

from lossgeom.checks import check_path, check_str
from lossgeom.errors import ClaimDefinitionError
from lossgeom.limits import shorten

from . import claim as _claim

__all__ = ["load_claim_module", "load_entry_point_claims", "ENTRY_POINT_GROUP"]

#: The entry-point group of installed claims packages.
ENTRY_POINT_GROUP = "lossgeom.claims"
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
#: spec -> the ids it registered (loading the same module twice registers nothing new)
_LOADED = {}


def load_claim_module(module):
    """Import a user's claims module and register its claims (ids prefixed by its source name).

    Parameters
    ----------
    module : str or path-like
        A file path ending in ``.py``, or a dotted module name importable from ``sys.path``.

    Returns
    -------
    tuple of str
        The ids of its claims, in registration order.

    Raises
    ------
    ClaimDefinitionError
        Naming the module: it cannot be found or imported, or its claims are defined inconsistently.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "demo_claims.py")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write('''
    ... from lossgeom.proofs import Evidence, register_claim
    ... @register_claim("one-is-one", "nowhere", "1 = 1", scope="the integer 1")
    ... def _check(dps, seed):
    ...     return Evidence("witness", "1 - 1 == 0 exactly")
    ... ''')
    >>> load_claim_module(path)
    ('demo_claims.one-is-one',)
    >>> from lossgeom.proofs import verify_claims
    >>> verify_claims(["demo_claims.one-is-one"])[0].outcome
    'proved'
    >>> load_claim_module("no_such_claims_module")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ClaimDefinitionError: module 'no_such_claims_module': cannot import it (ModuleNotFoundError: No module named 'no_such_claims_module')
    >>> _ = [_claim._REGISTRY.pop(i) for i in ("demo_claims.one-is-one",)]
    """
    check_path(module, "module")
    spec = os.fspath(module)
    check_str(spec, "module")
    if spec.endswith(".py") or os.sep in spec:
        label = "module %s" % shorten(spec, 300)
        return _load(spec, label, lambda: _import_path(spec, label))
    if not _DOTTED.match(spec) or len(spec) > 200:
        raise ClaimDefinitionError("module %s: expected a file path ending in .py or a dotted module name" %
                                   shorten(spec))
    return _load(spec, "module %r" % spec, lambda: importlib.import_module(spec))


def load_entry_point_claims():
    """Load every installed package's claims module declared in the entry-point group ``lossgeom.claims``.

    Returns
    -------
    tuple of str
        The ids registered, by entry point name then registration order.

    Raises
    ------
    ClaimDefinitionError
        Naming the entry point and its module, for the first one that cannot be loaded.

    Examples
    --------
    >>> load_entry_point_claims()      # no claims package is installed here
    ()
    """
    from importlib.metadata import entry_points

    out = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        label = "entry point %r (%s = %s)" % (ep.name, ENTRY_POINT_GROUP, ep.value)
        module = ep.value.split(":", 1)[0].strip()
        out += _load("entry-point:" + ep.value, label, lambda module=module: importlib.import_module(module))
    return tuple(out)


def _import_path(path, label):
    if not os.path.isfile(path):
        raise ClaimDefinitionError("%s: no such file" % label)
    stem = os.path.splitext(os.path.basename(path))[0]
    if not _DOTTED.match(stem):
        raise ClaimDefinitionError("%s: the file name must be a Python identifier, got %r" % (label, stem))
    name = "lossgeom_user_claims." + stem
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    mod.__dict__.setdefault("__source_name__", stem)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


def _load(key, label, do_import):
    previous = _LOADED.get(key)
    if previous is not None and all(i in _claim._REGISTRY for i in previous):
        return previous
    _claim._load_catalog()
    builtin_sources = _builtin_sources()
    before = set(_claim._REGISTRY)
    try:
        mod = do_import()
        ids = _prefix_ids(mod, [i for i in _claim._REGISTRY if i not in before], label, builtin_sources)
    except ClaimDefinitionError as err:
        _rollback(before)
        raise ClaimDefinitionError("%s: %s" % (label, err)) from None
    except (Exception, SystemExit) as err:  # a user's module: any failure is reported, naming it
        _rollback(before)
        text = str(err).replace("\n", " ")
        text = text if len(text) <= 200 else text[:197] + "..."
        raise ClaimDefinitionError("%s: cannot import it (%s: %s)" % (label, type(err).__name__, text)) from None
    _LOADED[key] = ids
    return ids


def _rollback(before):
    for i in [i for i in _claim._REGISTRY if i not in before]:
        _claim._REGISTRY.pop(i)


def _builtin_sources():
    from . import source_modules
    return {m.__name__.rsplit(".", 1)[1] for m in source_modules()}


def _prefix_ids(mod, new, label, builtin_sources):
    prefix = getattr(mod, "CLAIM_PREFIX", None) or getattr(mod, "__source_name__", None) or \
        mod.__name__.rsplit(".", 1)[-1]
    if not isinstance(prefix, str) or not _PREFIX.match(prefix):
        raise ClaimDefinitionError("CLAIM_PREFIX: expected a name such as 'smith2024', got %s" % shorten(prefix))
    if prefix in builtin_sources:
        raise ClaimDefinitionError("its source name %r is a built-in source's; set CLAIM_PREFIX to another" % prefix)
    if not new:
        raise ClaimDefinitionError("it registers no claims (call lossgeom.proofs.register_claim at import)")
    claims = [_claim._REGISTRY.pop(i) for i in new]
    ids = []
    for c in claims:
        cid = c.id if c.id.startswith(prefix + ".") else "%s.%s" % (prefix, c.id)
        if cid in _claim._REGISTRY:
            raise ClaimDefinitionError("id: claim id %r is registered twice" % cid)
        _claim._REGISTRY[cid] = dataclasses.replace(c, id=cid)
        ids.append(cid)
    return tuple(ids)
