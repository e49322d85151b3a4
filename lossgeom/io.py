"""Output files, written atomically: a reader sees the old file or the whole new one, never half of it.

Every file lossgeom writes (command output, GraphML, DOT, drawings) goes through
:func:`atomic_write`: the content is written to a temporary file in the target's folder and
moved into place with :func:`os.replace`, which is atomic on POSIX and Windows.
"""

import os
import tempfile

from .errors import DataError

__all__ = ["atomic_write"]


def atomic_write(path, writer, field="output file"):
    """Write ``path`` through ``writer(temporary_path)``, then move the result into place atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
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
    DataError
        When the folder does not exist (before anything is written).  Whatever ``writer``
        raises is raised unchanged, after the temporary file is removed.

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
    lossgeom.errors.DataError: --out: the folder '...no' does not exist
    >>> shutil.rmtree(d)
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise DataError("%s: the folder %r does not exist" % (field, directory))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".lossgeom-", suffix=os.path.splitext(path)[1])
    os.close(fd)
    try:
        writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
