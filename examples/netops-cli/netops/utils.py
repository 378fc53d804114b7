"""Process and file helpers shared by the netops commands."""
import logging
import os
import shlex
import subprocess

LOG = logging.getLogger(__name__)

ROOT_HELPER = ["sudo", "-n"]


class ProcessExecutionError(RuntimeError):
    def __init__(self, cmd, returncode, stderr):
        super().__init__("%s exited with %d: %s" % (cmd[0], returncode, stderr.strip()))
        self.cmd = cmd
        self.returncode = returncode


class AgentAlreadyRunning(RuntimeError):
    pass


def execute(cmd, check_exit_code=True, run_as_root=False, process_input=None):
    """Run ``cmd`` (a list of arguments) and return its standard output."""
    cmd = [str(part) for part in cmd]
    if run_as_root:
        cmd = ROOT_HELPER + cmd
    LOG.debug("Running command: %s", " ".join(shlex.quote(part) for part in cmd))
    proc = subprocess.run(cmd, input=process_input, capture_output=True, text=True)
    if proc.returncode != 0:
        if check_exit_code:
            raise ProcessExecutionError(cmd, proc.returncode, proc.stderr)
        LOG.debug("Exit code %d ignored for %s", proc.returncode, cmd[0])
    return proc.stdout


def read_pid(path):
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return None


def write_pid_file(path):
    if os.path.exists(path):
        raise AgentAlreadyRunning("%s exists (pid %s)" % (path, read_pid(path)))
    with open(path, "w") as fh:
        fh.write("%d\n" % os.getpid())


def take_lock(path):
    """Create ``path`` exclusively; fails if another netops holds the lock."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w") as fh:
        fh.write("%d\n" % os.getpid())


def release_lock(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        LOG.debug("Lock %s already released", path)
