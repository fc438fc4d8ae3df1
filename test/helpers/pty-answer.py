"""Runs a command on a pseudo-terminal, answers its first "[y/N]" question, and passes on its exit code.

Usage: pty-answer.py ANSWER COMMAND [ARG...]. Everything the command wrote goes to stdout.
PTY_PROMPT in the environment names another prompt to answer (e.g. "Vault password: ").
Used by the e2e tests of runbook's confirmation questions (a question is only asked on a
terminal). Gives up after 120 s without output, so a test never hangs.
"""
import os
import pty
import select
import signal
import sys

answer, argv = sys.argv[1].encode(), sys.argv[2:]
prompt = os.environ.get('PTY_PROMPT', '[y/N]').encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

out = b''
answered = False
while True:
    ready, _, _ = select.select([fd], [], [], 120)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        break
    try:
        data = os.read(fd, 4096)
    except OSError:  # the terminal closed: the command ended
        break
    if not data:
        break
    out += data
    if not answered and prompt in out:
        os.write(fd, answer + b'\r')
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
