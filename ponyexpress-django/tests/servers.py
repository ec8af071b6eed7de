"""Private PostgreSQL and Redis servers on loopback, on free ports, in temp dirs.

The same approach as the repository's test/contract/services: Debian's
server binaries, run as the `postgres` user when the tests run as root.
"""
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C", "LC_ALL": "C"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, ready, timeout: float = 30.0, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the server exited with {process.returncode}")
        if ready():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what}: not ready within {timeout}s")


def postgres_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if not dirs:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install -y postgresql (or set PG_BIN)")
    return Path(dirs[0]).parent


class Postgres:
    def __init__(self):
        self.bin = postgres_bin()
        self.base = Path(tempfile.mkdtemp(prefix="pxd-pg-"))
        self.user_kwargs = {}
        if os.getuid() == 0:  # postgres refuses to run as root
            pw = pwd.getpwnam("postgres")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            self.user_kwargs = {"user": pw.pw_uid, "group": pw.pw_gid}
        self.data = self.base / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user, self.database, self.password = "app", "app", secrets.token_hex(12)
        self.process = None
        self._run([self.bin / "initdb", "-D", self.data, "-U", "postgres", "-E", "UTF8", "--no-locale",
                   "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"])
        self.start()
        for sql in (f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'", f"CREATE DATABASE {self.database} OWNER {self.user}"):
            self._run([self.bin / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.base, "-p", str(self.port), "-U", "postgres", "-c", sql])

    def _run(self, argv):
        subprocess.run([str(a) for a in argv], env={**BASE_ENV, "HOME": str(self.base)}, cwd=self.base,
                       check=True, capture_output=True, timeout=120, **self.user_kwargs)

    def start(self):
        log = open(self.base / "postgres.log", "ab")
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.base),
             "-c", f"listen_addresses={self.host}", "-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=40"],
            env={**BASE_ENV, "HOME": str(self.base)}, cwd=self.base, stdout=log, stderr=subprocess.STDOUT, **self.user_kwargs)
        ready = lambda: subprocess.run([str(self.bin / "pg_isready"), "-q", "-h", self.host, "-p", str(self.port)]).returncode == 0
        wait_until("postgres", ready, process=self.process)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(2)  # SIGINT: fast shutdown
            self.process.wait(timeout=30)

    def env(self) -> dict:
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGPASSWORD": self.password, "PGDATABASE": self.database}

    def destroy(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class Redis:
    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="pxd-redis-"))
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.base), "--save", "",
             "--appendonly", "no", "--requirepass", self.password, "--daemonize", "no"],
            env={**BASE_ENV, "HOME": str(self.base)}, cwd=self.base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ready():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(f"AUTH {self.password}\r\nPING\r\n".encode())
                    seen = b""
                    while b"+PONG" not in seen:
                        chunk = s.recv(100)
                        if not chunk:
                            return False
                        seen += chunk
                    return True
            except OSError:
                return False
        wait_until("redis", ready, process=self.process)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def url(self, db: int = 0) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def destroy(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
