"""The OS sandbox every piece of student code runs in: bubblewrap (``bwrap``), Linux only.

One sandbox per process the grader starts (a submission's nbval run with its
kernel, a submission's judge), built from what Linux provides:

- its own PID namespace: the grader and the other students are invisible, and
  every process in it (double forks included) is killed when its first process
  ends or when the grader kills ``bwrap`` (``--die-with-parent``: the sandbox's
  init dies with bwrap, and the kernel kills the whole namespace with it);
- its own mount namespace, built on an empty tmpfs: read-only views of the
  system's ``/usr``, the Python interpreter, the virtual environment and the
  ``course_lib`` package only (never ``solutions/``, the submissions, the
  output folder or the rest of the repository), private tmpfs ``/tmp``,
  ``$HOME`` and working folder (size-capped), and the one notebook the grader
  passes in through a file descriptor;
- its own network namespace (loopback only), IPC and UTS namespaces;
- no root: as root, the grader drops to an unprivileged uid per submission slot
  (``setpriv``: no capabilities, ``no_new_privs``), so ``RLIMIT_NPROC`` applies and
  nothing can be ptraced outside; the uids come from a block no running process
  uses (``RLIMIT_NPROC`` counts per uid, machine-wide); as another user, a user
  namespace maps the student to ``nobody``;
- resource limits (``prlimit``): address space per process, file size, no core
  files, and a process cap per submission (both sandboxes of a submission share
  its uid, so the cap is per submission). The machine this was built on offers
  no delegated cgroup v2 with the memory and pids controllers, so memory is
  capped per process (total at most processes x address space).

``find_sandbox()`` says whether this machine can do all of it, and if not why.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # course_lib/
WORKDIR = "/grading"  # the working folder inside the sandbox (a tmpfs)
HOME = "/home/student"
FIRST_UID = 61000  # as root, a grader's slot k runs as uid/gid first_uid + k, in a block of UID_BLOCK uids
UID_BLOCK = 64  # free blocks are chosen among UID_BLOCKS, so two graders on one machine never share a uid
UID_BLOCKS = 64
TMPFS_BYTES = 256 * 1024**2  # per tmpfs (/tmp, $HOME, the working folder)
HOW_TO_GET_ONE = (
    "the grader runs student code only inside a bubblewrap sandbox (Linux): install it with "
    "'apt-get install bubblewrap' (Debian/Ubuntu) or 'dnf install bubblewrap', and allow user namespaces "
    "(in a container: run it with --privileged or a seccomp profile that allows unshare); "
    "or pass --unsafe-no-sandbox to run student code with the grader's rights (never on real submissions)"
)
# Files of /etc that Python, numpy and matplotlib read; the rest of /etc stays out.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "nsswitch.conf", "passwd", "group",
             "hosts", "mime.types")


class SandboxUnavailable(RuntimeError):
    """This machine cannot run the sandbox; the message says why and how to get one."""


@dataclass(frozen=True)
class Sandbox:
    """How to start a sandboxed process on this machine."""

    bwrap: str
    setpriv: str
    prlimit: str
    as_root: bool  # root: drop to an unprivileged uid with setpriv; else a user namespace maps to nobody
    first_uid: int = FIRST_UID

    def command(
        self,
        inner: list[str],
        *,
        slot: int,
        files: dict[str, int],
        memory_bytes: int,
        file_bytes: int,
        processes: int,
        hidden: tuple[Path, ...] = (),
    ) -> list[str]:
        """The bwrap command line that runs ``inner`` in a fresh sandbox.

        ``files`` maps a path inside the sandbox to an inheritable fd whose content bwrap
        copies there (read-only); ``hidden`` are files of the read-only view covered with
        /dev/null, which the sandbox can neither import nor read (the judge's course_lib
        without the references).
        """
        args = [
            self.bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session",
        ]
        if not self.as_root:
            args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"]
        for path in _system_paths():
            args += ["--symlink", os.readlink(path), path] if os.path.islink(path) else ["--ro-bind", path, path]
        # The private tmpfs folders first: an interpreter or venv that lives under /tmp is bound on top.
        for folder in ("/tmp", HOME, WORKDIR):
            args += ["--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", folder]
        python_paths = _python_paths()
        for folder in ["/etc", *_parents(python_paths)]:  # bwrap would make them 0700: unreachable for the uid
            args += ["--perms", "0755", "--dir", folder]
        for name in ETC_FILES:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        for path in python_paths:
            args += ["--ro-bind", path, path]
        for covered in hidden:
            args += ["--ro-bind", "/dev/null", str(covered)]
        args += ["--proc", "/proc", "--dev", "/dev"]
        for dest, fd in files.items():
            args += ["--perms", "0444", "--file", str(fd), dest]
        args += ["--chdir", WORKDIR, "--"]
        limits = [self.prlimit, f"--as={memory_bytes}", f"--fsize={file_bytes}", "--core=0", f"--nproc={processes}",
                  "--"]
        if self.as_root:
            uid = self.first_uid + slot
            limits += [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                       "--bounding-set=-all", "--no-new-privs", "--"]
        return args + limits + inner


def _system_paths() -> list[str]:
    """/usr and the top-level links or folders into it (merged /usr or not)."""
    return [p for p in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32") if os.path.lexists(p)]


def _parents(paths: list[str]) -> list[str]:
    """Every ancestor folder of ``paths`` (not /), parents first."""
    found = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    return sorted(found, key=lambda folder: (folder.count("/"), folder))


def _python_paths() -> list[str]:
    """The interpreter's prefix, the virtual environment, every sys.path folder outside them, and course_lib."""
    paths = {str(Path(p).resolve()) for p in (sys.base_prefix, sys.prefix)}
    paths.add(str(Path(sys.executable).resolve().parent.parent))
    for entry in sys.path:
        resolved = Path(entry).resolve() if entry else None
        if resolved and resolved.is_dir() and not any(str(resolved).startswith(p + os.sep) for p in paths):
            if (resolved / "course_lib").resolve() == PACKAGE or resolved == PACKAGE.parent:
                continue  # the repository root (editable install, or run from the checkout): course_lib only
            if resolved.name in ("site-packages", "dist-packages") or "python" in resolved.name:
                paths.add(str(resolved))
    paths.add(str(PACKAGE))
    return sorted(p for p in paths if not any(p.startswith(q + os.sep) for q in paths))  # outermost only


def uids_in_use() -> set[int]:
    """The uids of the processes running on this machine (as /proc shows them)."""
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                found.add(entry.stat().st_uid)
            except OSError:
                continue
    return found


def free_uid_block() -> int:
    """The first uid of a block of UID_BLOCK uids that no process uses, chosen at random among UID_BLOCKS."""
    used = uids_in_use()
    blocks = [FIRST_UID + UID_BLOCK * k for k in range(UID_BLOCKS)]
    random.shuffle(blocks)
    for first in blocks:
        if not any(first + k in used for k in range(UID_BLOCK)):
            return first
    raise SandboxUnavailable(f"every uid from {FIRST_UID} to {FIRST_UID + UID_BLOCK * UID_BLOCKS - 1} is in use")


@functools.lru_cache(maxsize=1)
def find_sandbox() -> Sandbox:
    """The sandbox of this machine, tried once for real; SandboxUnavailable says why not and how to get one."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"no sandbox on {sys.platform}: {HOW_TO_GET_ONE}")
    names = ("bwrap", "setpriv", "prlimit")
    bwrap, setpriv, prlimit = paths = [shutil.which(name) for name in names]
    if bwrap is None or setpriv is None or prlimit is None:
        missing = [name for name, path in zip(names, paths) if path is None]
        raise SandboxUnavailable(f"{', '.join(missing)} not found on PATH: {HOW_TO_GET_ONE}")
    as_root = os.geteuid() == 0
    sandbox = Sandbox(bwrap, setpriv, prlimit, as_root, free_uid_block() if as_root else 0)
    probe = sandbox.command([sys.executable, "-I", "-c", "import os, course_lib; print(os.getuid())"], slot=0, files={},
                            memory_bytes=2 * 1024**3, file_bytes=1024**2, processes=16)
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"bubblewrap could not start ({exc}): {HOW_TO_GET_ONE}") from None
    expected = str(sandbox.first_uid if sandbox.as_root else 65534)
    if done.returncode != 0 or done.stdout.decode(errors="replace").strip() != expected:
        why = " ".join(done.stderr.decode(errors="replace").split())[:300] or f"exit code {done.returncode}"
        raise SandboxUnavailable(f"bubblewrap does not work here ({why}): {HOW_TO_GET_ONE}")
    return sandbox
