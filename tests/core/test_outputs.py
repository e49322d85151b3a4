"""Output files are all or nothing (issue 16, item 3).

Every output flag is checked before the command starts (one line, exit 2, nothing written); the
files of one command are staged and moved into place together, only when it returns; symlinks,
permissions and devices are respected; a full disk, Ctrl-C or SIGTERM leaves the old files as they
were and no temporary file.
"""

import errno
import hashlib
import os
import signal
import stat
import subprocess
import sys
import tempfile

import pytest

from lossgeom import LossgeomError, OutputError
from lossgeom.cli import main
from lossgeom.io import PREFIX, Outputs, atomic_write, check_output_path, write_file

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
HESSIAN_NET = os.path.join(EXAMPLES, "hessian_tanh_2_3_2.json")
LINEAR_NET = os.path.join(EXAMPLES, "linear_3_1_3.json")
DERIVE = ["derive", "gradient", "--widths", "2,2,1", "--activation", "tanh"]

# (command line without the flag, the flag, the suffix a good file name has)
WRITERS = [
    (["verify", "choromanska2015.path-count"], "--out", ".txt"),
    (["report", "choromanska2015.path-count", "--quiet"], "--out", ".md"),
    (["hessian", HESSIAN_NET], "--out", ".json"),
    (["paths", "--widths", "2,2,1"], "--draw", ".png"),
    (["paths", "--widths", "2,2,1"], "--dot", ".dot"),
    (["paths", "--widths", "2,2,1"], "--graphml", ".graphml"),
    (["paths", "--widths", "2,2,1"], "--out", ".txt"),
    (DERIVE, "--out", ".txt"),
    (["critical", LINEAR_NET], "--out", ".txt"),
]
WRITER_IDS = ["%s%s" % (argv[0], flag) for argv, flag, _ in WRITERS]


def snapshot(*folders):
    """Every file under ``folders``: name -> (mode, size, mtime_ns, sha256) (links: their target)."""
    seen = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in sorted(dirs + files):
                p = os.path.join(root, name)
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    seen[p] = ("link", os.readlink(p))
                elif stat.S_ISREG(st.st_mode):
                    with open(p, "rb") as fh:
                        digest = hashlib.sha256(fh.read()).hexdigest()
                    seen[p] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
                else:
                    seen[p] = (st.st_mode,)
    return seen


def temporaries(folder):
    return [n for n in os.listdir(folder) if n.startswith(PREFIX)]


def mount_tmpfs(path, options):
    """Mount a tmpfs at ``path`` (root in a container that allows it); False when not possible."""
    os.makedirs(path, exist_ok=True)
    try:
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], capture_output=True)
    except OSError:
        return False
    return res.returncode == 0


@pytest.fixture
def readonly_dir(tmp_path):
    """A folder no file can be created in: a read-only tmpfs (chmod 0o500 does not stop root)."""
    path = str(tmp_path / "ro")
    if mount_tmpfs(path, "ro,size=64k"):
        yield path
        subprocess.run(["umount", path], check=True)
    elif os.geteuid() != 0:
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o500)
        yield path
        os.chmod(path, 0o700)
    else:
        pytest.skip("root without mount: no read-only folder to test with")


@pytest.fixture
def full_dir(tmp_path):
    """A tiny tmpfs with an old file ``f.txt`` and no space left."""
    path = str(tmp_path / "full")
    if not mount_tmpfs(path, "size=16k"):
        pytest.skip("mount not available: the in-process ENOSPC test covers this")
    with open(os.path.join(path, "f.txt"), "w") as fh:
        fh.write("old\n")
    with open(os.path.join(path, "filler"), "wb") as fh:
        try:
            while True:
                fh.write(b"x" * 4096)
                fh.flush()
        except OSError as err:
            assert err.errno == errno.ENOSPC
        try:
            fh.close()
        except OSError:
            pass
    yield path
    subprocess.run(["umount", path], check=True)


def bad_paths(tmp, ro, suffix):
    """(path, words the message must contain) for each kind of bad output path."""
    return [
        (tmp, "it is a folder"),
        ("", "expected a file name"),
        (tmp + os.sep, "it names a folder"),
        ("/proc/x" + suffix, "cannot create a file in the folder '/proc'"),
        (os.path.join(tmp, "no", "x" + suffix), "does not exist"),
        (os.path.join(ro, "x" + suffix), "cannot create a file in the folder"),
    ]


@pytest.mark.parametrize("argv, flag, suffix", WRITERS, ids=WRITER_IDS)
def test_bad_output_paths_fail_before_any_work(argv, flag, suffix, tmp_path, readonly_dir, capsys):
    tmp = str(tmp_path)
    (tmp_path / "keep.txt").write_text("keep\n")
    before = snapshot(tmp)
    for path, words in bad_paths(tmp, readonly_dir, suffix):
        assert main(argv + [flag, path]) == 2, path
        out, err = capsys.readouterr()
        # one line (no progress display: verify and report stop before running a claim), no traceback
        assert err.count("\n") == 1 and "Traceback" not in err and out == "", (path, err)
        assert err.startswith("lossgeom: error: %s: cannot write %r: " % (flag, path)), err
        assert words in err, (path, err)
        assert snapshot(tmp) == before, path


def test_good_draw_and_bad_out_write_nothing(tmp_path, capsys):
    png = tmp_path / "n.png"
    assert main(["paths", "--widths", "2,2,1", "--draw", str(png), "--out", str(tmp_path / "no" / "x.txt")]) == 2
    assert "--out: cannot write" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_an_output_failing_at_the_end_rolls_back_the_others(tmp_path, capsys):
    # /dev/full passes the check (it is writable) and fails only when written: the staged drawing
    # and GraphML must not appear, the old DOT must stay.
    (tmp_path / "g.dot").write_text("old\n")
    before = snapshot(str(tmp_path))
    code = main(["paths", "--widths", "2,2,1", "--draw", str(tmp_path / "n.png"), "--graphml",
                 str(tmp_path / "g.graphml"), "--out", "/dev/full"])
    out, err = capsys.readouterr()
    assert code == 2 and err == "lossgeom: error: --out: cannot write '/dev/full': No space left on device\n"
    assert out == ""  # the report (and its "drawing written to") is not printed either
    assert snapshot(str(tmp_path)) == before


def test_all_outputs_of_a_command_are_written_together(tmp_path, capsys):
    files = [tmp_path / n for n in ("n.svg", "g.graphml", "g.dot", "r.json")]
    assert main(["paths", "--widths", "2,2,1", "--draw", str(files[0]), "--graphml", str(files[1]),
                 "--dot", str(files[2]), "--out", str(files[3]), "--format", "json"]) == 0
    assert sorted(os.listdir(tmp_path)) == sorted(f.name for f in files)
    assert b"<svg" in files[0].read_bytes()[:1000] and files[2].read_text().startswith("digraph")


def test_two_flags_naming_the_same_file(tmp_path, capsys):
    f = str(tmp_path / "g.dot")
    assert main(["paths", "--widths", "2,1", "--dot", f, "--graphml", os.path.join(str(tmp_path), ".", "g.dot")]) == 2
    assert "the same file as --graphml" in capsys.readouterr().err and os.listdir(tmp_path) == []


def test_symlink_target_replaced_and_link_kept(tmp_path, capsys):
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.txt"
    link.symlink_to("real.txt")
    assert main(DERIVE + ["--out", str(link)]) == 0
    assert os.path.islink(link) and os.readlink(link) == "real.txt"
    assert real.read_text().startswith("backpropagation of Net(2-2-1, tanh, square)")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["link.txt", "real.txt"]


def test_existing_file_keeps_its_permissions(tmp_path, capsys):
    f = tmp_path / "d.txt"
    f.write_text("old\n")
    os.chmod(f, 0o604)
    assert main(DERIVE + ["--out", str(f)]) == 0
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o604 and f.read_text() != "old\n"


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_new_file_mode_follows_the_umask(mask, tmp_path, capsys):
    old = os.umask(mask)
    try:
        assert main(DERIVE + ["--out", str(tmp_path / "d.txt")]) == 0
        assert main(["paths", "--widths", "2,1", "--draw", str(tmp_path / "n.png")]) == 0
    finally:
        os.umask(old)
    for name in ("d.txt", "n.png"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o666 & ~mask  # not mkstemp's 0o600


def test_dev_null_is_written_through(capsys):
    assert main(DERIVE + ["--out", "/dev/null"]) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert capsys.readouterr().out == ""


def test_dev_full_is_one_line(capsys):
    staged_before = set(temporaries(tempfile.gettempdir()))  # devices are staged in the temporary folder
    assert main(DERIVE + ["--out", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert err == "lossgeom: error: --out: cannot write '/dev/full': No space left on device\n"
    assert set(temporaries(tempfile.gettempdir())) <= staged_before


def test_dev_stdout_writes_to_the_pipe_or_the_redirected_file(tmp_path):
    res = subprocess.run([sys.executable, "-m", "lossgeom"] + DERIVE + ["--out", "/dev/stdout"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("backpropagation of Net(2-2-1")
    target = tmp_path / "redirected.txt"
    with open(target, "w") as fh:
        res = subprocess.run([sys.executable, "-m", "lossgeom"] + DERIVE + ["--out", "/dev/stdout"], stdout=fh)
    assert res.returncode == 0 and target.read_text().startswith("backpropagation of Net(2-2-1")
    assert os.listdir(tmp_path) == ["redirected.txt"]


def test_full_disk_keeps_the_old_file(full_dir, capsys):
    target = os.path.join(full_dir, "f.txt")
    before = snapshot(full_dir)
    assert main(DERIVE + ["--out", target]) == 2
    err = capsys.readouterr().err
    assert err == "lossgeom: error: --out: cannot write %r: No space left on device\n" % target
    assert snapshot(full_dir) == before and temporaries(full_dir) == []


def test_full_disk_in_process(tmp_path, capsys, monkeypatch):
    """ENOSPC while writing (simulated): exit 2, one line, old file kept, no temporary file."""
    import lossgeom.cli

    target = tmp_path / "f.txt"
    target.write_text("old\n")
    real_open = open

    class Full:
        def __init__(self, *a, **k):
            self.fh = real_open(*a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[:3])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(lossgeom.cli, "open", Full, raising=False)
    assert main(DERIVE + ["--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == "lossgeom: error: --out: cannot write %r: No space left on device\n" % str(target)
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["f.txt"]


def test_output_error_is_an_oserror_with_errno(tmp_path):
    def full(tmp):
        raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(OutputError) as info:
        atomic_write(str(tmp_path / "a.txt"), full, field="--out")
    assert isinstance(info.value, OSError) and isinstance(info.value, LossgeomError)
    assert info.value.errno == errno.ENOSPC and os.listdir(tmp_path) == []
    with pytest.raises(OutputError, match="does not exist") as info:
        check_output_path(str(tmp_path / "no" / "a.txt"), "--out")
    assert not isinstance(info.value, ValueError)


def test_outputs_abort_on_any_exception(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("old")

    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write("new")
    for exc in (KeyboardInterrupt, SystemExit, ValueError):
        with pytest.raises(exc):
            with Outputs([("--out", str(a))]):
                write_file(str(a), write, "--out")
                write_file(str(tmp_path / "b.txt"), write, "--dot")  # not declared: checked and staged too
                assert len(temporaries(tmp_path)) == 2
                raise exc()
        assert os.listdir(tmp_path) == ["a.txt"] and a.read_text() == "old"


def test_atomic_write_still_writes_at_once(tmp_path):
    f = tmp_path / "x.txt"
    with Outputs():  # atomic_write does not wait for an open transaction
        atomic_write(str(f), lambda tmp: open(tmp, "w").close())
        assert f.exists()


def _start_verify(tmp_path, out):
    """``lossgeom verify --out OUT`` (the whole catalog: minutes), once it is working on its 2nd claim."""
    def default_sigint():
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # not ignored even when the suite runs in the background
    proc = subprocess.Popen([sys.executable, "-m", "lossgeom", "verify", "--out", str(out)], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=default_sigint)
    seen = b""
    while b"[2/" not in seen:
        chunk = os.read(proc.stderr.fileno(), 4096)
        assert chunk, "verify ended before its second claim: %r" % seen
        seen += chunk
    return proc, seen


@pytest.mark.parametrize("signum, code, word", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")])
def test_signal_mid_run_keeps_the_old_file(signum, code, word, tmp_path):
    out = tmp_path / "F.txt"
    out.write_text("old\n")
    proc, seen = _start_verify(tmp_path, out)
    try:
        proc.send_signal(signum)
        rest = proc.communicate()[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = (seen + rest).decode()
    assert proc.returncode == code, err
    assert err.splitlines()[-1].endswith("lossgeom: %s (no output file written)" % word), err
    assert "Traceback" not in err
    assert out.read_text() == "old\n" and os.listdir(tmp_path) == ["F.txt"]
