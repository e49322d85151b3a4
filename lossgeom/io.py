"""Output files, all or nothing: a reader sees the old files or all the new ones, never half of them.

Every file lossgeom writes (command output, GraphML, DOT, drawings) goes through
:func:`write_file`.  Inside an :class:`Outputs` transaction (``lossgeom.cli.main`` opens one per
command run) the content is *staged*: written to a temporary file ``.lossgeom-*`` in the target's
folder, and moved into place with :func:`os.replace` only when the command finished and every
output was staged.  A command that fails (an error, Ctrl-C, SIGTERM) leaves no new file, no
changed file and no temporary file.  Outside a transaction :func:`write_file` is
:func:`atomic_write`: one file, staged and moved into place at once.

Every output path is checked before anything is written (:func:`check_output_path`): the name is
not empty and not a folder, its folder exists and a file can be created in it.  Some targets are
written through instead of replaced: a character device, FIFO or socket (``/dev/null``,
``/dev/stdout``) is opened and written directly; a symbolic link is resolved and its target
replaced (the link stays a link); a replaced file keeps its permission bits, a new one gets
``0o666 & ~umask``.  Problems are one :class:`~lossgeom.errors.OutputError` naming the flag, the
path and the reason.
"""

import os
import re
import signal
import stat
import sys
import tempfile
import threading

from .checks import check_callable
from .errors import ArgumentTypeError, LossgeomError, OutputError
from .limits import shorten

__all__ = ["atomic_write", "check_output_path", "write_file", "write_stdout", "Outputs", "OUTPUT_FLAGS", "PREFIX"]

#: The command-line flags that name output files, with their ``args`` attributes.
OUTPUT_FLAGS = (("--out", "out"), ("--draw", "draw"), ("--graphml", "graphml"), ("--dot", "dot"))

#: The name prefix of staged (temporary) files.
PREFIX = ".lossgeom-"

# /dev/stdout -> /proc/self/fd/1, /dev/fd/N, /proc/<pid>/fd/N: an open file descriptor, written through.
_FD_LINK = re.compile(r"/(?:proc/(?:self|thread-self|\d+)|dev)/fd/\d+\Z")

# Paths are shortened only when absurdly long (their end is what tells them apart).
_PATH_WIDTH = 300

# The transactions open in this thread (innermost last); write_file stages into the innermost.
_LOCAL = threading.local()


def _active():
    if not hasattr(_LOCAL, "stack"):
        _LOCAL.stack = []
    return _LOCAL.stack


def _error(field, path, reason, cause=None):
    """The one-line :class:`OutputError` ``FIELD: cannot write PATH: REASON`` (errno kept from ``cause``)."""
    err = OutputError("%s: cannot write %s: %s" % (field, shorten(path, _PATH_WIDTH), reason))
    if isinstance(cause, OSError) and cause.errno is not None:
        err.errno = cause.errno
    return err


def _reason(err):
    """An OSError's reason in words (``No space left on device``)."""
    return err.strerror or str(err) or type(err).__name__


def _through_fd(path):
    """True when ``path`` is, or links to, an open file descriptor (``/dev/stdout``, ``/dev/fd/1``)."""
    p = os.path.abspath(path)
    for _ in range(40):
        if _FD_LINK.match(p):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False


def _umask():
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Target:
    """A checked output: ``path`` to replace (symlinks resolved) or to write through, and its flag."""

    def __init__(self, path, field, through, given):
        self.path, self.field, self.through, self.given = path, field, through, given

    def error(self, reason, cause=None):
        return _error(self.field, self.given, reason, cause)


def _check_path_type(path, field):
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError("%s: expected a file path (str or os.PathLike), got %s" % (field, shorten(path)))


def check_output_path(path, field="output file"):
    """Check that ``path`` can be written, before any work: return its plan or raise one clear error.

    Parameters
    ----------
    path : str or os.PathLike
        The output file.
    field : str
        Names the file in the error message (for example ``"--out"``).

    Returns
    -------
    object
        The checked target (used by :class:`Outputs`).

    Raises
    ------
    OutputError
        The name is empty or names a folder; the folder does not exist or is not a folder; no file
        can be created in the folder (a read-only file system, ``/proc``, no permission); the file
        exists and is read-only.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> d = tempfile.mkdtemp()
    >>> check_output_path(os.path.join(d, "a.json"), "--out").path == os.path.realpath(os.path.join(d, "a.json"))
    True
    >>> check_output_path(d, "--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lossgeom.errors.OutputError: --out: cannot write '...': it is a folder
    >>> check_output_path("", "--out")
    Traceback (most recent call last):
    ...
    lossgeom.errors.OutputError: --out: cannot write '': expected a file name
    >>> check_output_path("/dev/null", "--out").through
    True
    >>> shutil.rmtree(d)
    """
    _check_path_type(path, field)
    given = os.fsdecode(os.fspath(path))
    if given == "":
        raise _error(field, given, "expected a file name")
    if "\0" in given:
        raise _error(field, given, "the name contains a NUL character")
    try:
        return _check(given, field)
    except OSError as err:
        if isinstance(err, LossgeomError):
            raise
        raise _error(field, given, _reason(err), err) from None


def _check(given, field):
    if given.endswith(("/", os.sep)) or os.path.basename(given) in (".", ".."):
        raise _error(field, given, "it names a folder")
    if os.path.isdir(given):
        raise _error(field, given, "it is a folder")
    if _through_fd(given) or (os.path.exists(given) and not stat.S_ISREG(os.stat(given).st_mode)):
        if not os.access(given, os.W_OK):
            raise _error(field, given, "permission denied")
        return _Target(given, field, True, given)
    real = os.path.realpath(given)
    folder = os.path.dirname(real)
    if not os.path.lexists(folder):
        raise _error(field, given, "the folder %s does not exist" % shorten(folder, _PATH_WIDTH))
    if not os.path.isdir(folder):
        raise _error(field, given, "%s is not a folder" % shorten(folder, _PATH_WIDTH))
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=PREFIX)
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise _error(field, given, "cannot create a file in the folder %s (%s)" % (shorten(folder, _PATH_WIDTH), _reason(err)),
                     err) from None
    if os.path.exists(real) and not os.access(real, os.W_OK):
        raise _error(field, given, "the file is read-only")
    return _Target(real, field, False, given)


def _remove(tmp):
    try:
        os.remove(tmp)
    except FileNotFoundError:
        pass


def _stage(target, writer):
    """Write ``writer(tmp)`` to a new temporary file for ``target``; return its path (removed on failure)."""
    folder = tempfile.gettempdir() if target.through else os.path.dirname(target.path)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=PREFIX, suffix=os.path.splitext(target.path)[1])
    except OSError as err:
        raise target.error(_reason(err), err) from None
    os.close(fd)
    try:
        writer(tmp)
        if not target.through:
            _copy_metadata(target.path, tmp)
    except BaseException as err:
        _remove(tmp)
        if isinstance(err, OSError) and not isinstance(err, LossgeomError):
            raise target.error(_reason(err), err) from None
        raise
    return tmp


def _copy_metadata(path, tmp):
    """Give ``tmp`` the permission bits (and, if allowed, the owner) of ``path``, or ``0o666 & ~umask``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    os.chmod(tmp, stat.S_IMODE(st.st_mode))
    if hasattr(os, "chown"):
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass  # not allowed (not root): the new file is ours, as with any editor's save


def _write_through(target, tmp):
    """Copy the staged bytes into ``target.path`` opened for writing (a device, FIFO or descriptor)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    if _through_fd(target.path):
        flags |= os.O_APPEND  # like writing to the descriptor: after what is already there
    try:
        fd = os.open(target.path, flags)
        try:
            with open(tmp, "rb") as src:
                for chunk in iter(lambda: src.read(1 << 16), b""):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as err:
        raise target.error(_reason(err), err) from None


class _Blocked:
    """Hold SIGINT and SIGTERM while files are moved into place or cleaned up (they arrive after)."""

    def __enter__(self):
        self.old = None
        if hasattr(signal, "pthread_sigmask"):
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.old)
        return False


class Outputs:
    """The output files of one command run, written all or nothing.

    Each path is checked when added (:func:`check_output_path`); :meth:`stage` writes the content
    to a temporary file beside its target; :meth:`commit` moves every staged file into place,
    :meth:`abort` removes them.  Used as a context manager, the transaction is the one
    :func:`write_file` stages into, and it commits when the block ends normally, aborts otherwise.

    Parameters
    ----------
    paths : iterable of (str, str)
        ``(field, path)`` pairs to check now, e.g. ``[("--out", "r.json")]``.

    Raises
    ------
    OutputError
        A path cannot be written (see :func:`check_output_path`) or two flags name the same file.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> d = tempfile.mkdtemp(); a, b = os.path.join(d, "a.txt"), os.path.join(d, "b.txt")
    >>> def text(s):
    ...     def write(tmp):
    ...         with open(tmp, "w") as fh:
    ...             fh.write(s)
    ...     return write
    >>> with Outputs([("--out", a), ("--dot", b)]):
    ...     write_file(a, text("A"), "--out")
    ...     print([n for n in os.listdir(d) if not n.startswith(PREFIX)])  # a.txt is only staged
    ...     write_file(b, text("B"), "--dot")
    []
    >>> sorted(os.listdir(d)), open(a).read()
    (['a.txt', 'b.txt'], 'A')
    >>> with Outputs([("--out", a)]):
    ...     write_file(a, text("new"), "--out")
    ...     raise RuntimeError("the command failed")
    Traceback (most recent call last):
    ...
    RuntimeError: the command failed
    >>> sorted(os.listdir(d)), open(a).read()
    (['a.txt', 'b.txt'], 'A')
    >>> shutil.rmtree(d)
    """

    def __init__(self, paths=()):
        self._targets = {}
        self._staged = {}
        self._stdout = []
        if isinstance(paths, (str, bytes)) or not isinstance(paths, (list, tuple)):
            raise ArgumentTypeError("paths: expected a list of (field, path) pairs, got %s" % shorten(paths))
        for k, pair in enumerate(paths):
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ArgumentTypeError("paths[%d]: expected a (field, path) pair, got %s" % (k, shorten(pair)))
            self.add(pair[1], pair[0])

    @classmethod
    def from_args(cls, args):
        """A transaction for the output flags (:data:`OUTPUT_FLAGS`) given in ``args``; ``--out -`` is stdout."""
        paths = []
        for flag, dest in OUTPUT_FLAGS:
            value = getattr(args, dest, None)
            if isinstance(value, (str, os.PathLike)) and not (dest == "out" and value == "-"):
                paths.append((flag, value))
        return cls(paths)

    def add(self, path, field="output file"):
        """Check ``path`` (once) and return its target; two flags may not replace the same file."""
        key = os.fsdecode(os.fspath(path))
        if key in self._targets:
            return self._targets[key]
        target = check_output_path(path, field)
        for other in self._targets.values():
            if not target.through and not other.through and other.path == target.path:
                raise target.error("the same file as %s" % other.field)
        self._targets[key] = target
        return target

    def stage(self, path, writer, field="output file"):
        """Write ``writer(temporary_path)`` for ``path`` now; it replaces ``path`` on :meth:`commit`."""
        target = self.add(path, field)
        tmp = _stage(target, writer)
        old = self._staged.pop(id(target), None)
        if old is not None:
            _remove(old[1])
        self._staged[id(target)] = (target, tmp)

    def commit(self):
        """Move every staged file into place (devices written through first, as they can still fail)."""
        with _Blocked():
            staged = sorted(self._staged.values(), key=lambda item: not item[0].through)
            try:
                for target, tmp in staged:
                    if target.through:
                        _write_through(target, tmp)
                        _remove(tmp)
                    else:
                        try:
                            os.replace(tmp, target.path)
                        except OSError as err:
                            raise target.error(_reason(err), err) from None
                    del self._staged[id(target)]
            except BaseException:
                self._abort()
                raise
            texts, self._stdout = self._stdout, []
        for text in texts:
            sys.stdout.write(text)

    def abort(self):
        """Remove every staged file; the targets stay as they were."""
        with _Blocked():
            self._abort()

    def _abort(self):
        for _, tmp in self._staged.values():
            _remove(tmp)
        self._staged.clear()
        self._stdout.clear()

    def __enter__(self):
        _active().append(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        _active().remove(self)
        if exc_type is None:
            self.commit()
        else:
            self.abort()
        return False


def write_file(path, writer, field="output file"):
    """Write ``path`` through ``writer(temporary_path)``: staged in the open :class:`Outputs`, else at once.

    Parameters
    ----------
    path : str or os.PathLike
    writer : callable
        Called once with the path of a new, empty temporary file (with the target's suffix, for
        writers that go by it); it writes the content.
    field : str
        Names the file in error messages.

    Returns
    -------
    None

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "a.txt")
    >>> def hi(tmp):
    ...     with open(tmp, "w") as fh:
    ...         fh.write("hi")
    >>> write_file(f, hi)
    >>> open(f).read()
    'hi'
    >>> shutil.rmtree(d)
    """
    if _active():
        _active()[-1].stage(path, writer, field)
    else:
        atomic_write(path, writer, field)


def write_stdout(text):
    """Print ``text``: after the files of the open :class:`Outputs` are in place (never when it aborts), else now.

    So a command that fails after its report was rendered prints no report (and no "written to").

    Examples
    --------
    >>> with Outputs():
    ...     write_stdout("done\\n")
    ...     print("first")
    first
    done
    """
    if not isinstance(text, str):
        raise ArgumentTypeError("text: expected a str, got %s" % shorten(text))
    if _active():
        _active()[-1]._stdout.append(text)
    else:
        sys.stdout.write(text)


def atomic_write(path, writer, field="output file"):
    """Write ``path`` through ``writer(temporary_path)``, then move the result into place atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.  A symbolic link's target is replaced (the link
        stays); a device such as ``/dev/null`` is written through.
    writer : callable
        Called once with the path of a new, empty temporary file in the same folder (with the
        same suffix, so writers that go by the suffix see the right one); it writes the content.
    field : str
        Names the file in the error message (for example ``"--out"``).

    Returns
    -------
    None

    Raises
    ------
    OutputError
        When the path cannot be written (before anything is written, see
        :func:`check_output_path`), or an OS error while writing (disk full); the temporary file
        is removed.  Whatever else ``writer`` raises is raised unchanged, after the temporary file
        is removed.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "a.txt")
    >>> def hello(tmp):
    ...     with open(tmp, "w") as fh:
    ...         fh.write("hello")
    >>> atomic_write(f, hello)
    >>> open(f).read(), os.listdir(d)
    ('hello', ['a.txt'])
    >>> atomic_write(os.path.join(d, "no", "b.txt"), hello, field="--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lossgeom.errors.OutputError: --out: cannot write '...b.txt': the folder '...no' does not exist
    >>> shutil.rmtree(d)
    """
    _check_path_type(path, field)
    check_callable(writer, "writer")
    outputs = Outputs([(field, path)])
    try:
        outputs.stage(path, writer, field)
    except BaseException:
        outputs.abort()
        raise
    outputs.commit()
