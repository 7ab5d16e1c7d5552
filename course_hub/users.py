"""The class's local Unix accounts: created with a home only they can read, and a password PAM checks.

Passwords: read from a file the instructor keeps outside the repository (``HUB_PASSWORDS``: one ``user:password``
per line; ``make hub`` sets them every time), or generated for accounts ``make hub`` creates and kept in
``<hub dir>/passwords.txt`` (root only; printed by ``make hub``). An account that existed before ``make hub`` and
has no password in the file keeps its password.
"""
from __future__ import annotations

import os
import pwd
import secrets
import subprocess
from pathlib import Path

COMMENT = "nn-from-scratch class hub"


def exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def read_passwords(path: Path) -> dict[str, str]:
    """``user:password`` (or ``user password``) lines; blank lines and ``#`` comments are skipped."""
    found = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        sep = ":" if ":" in line else None
        parts = line.split(sep, 1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{path}, line {n}: expected 'user:password'")
        found[parts[0].strip()] = parts[1].strip()
    return found


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# the class hub's accounts (root only): user:password\n")
        for user in sorted(passwords):
            f.write(f"{user}:{passwords[user]}\n")
    os.chmod(path, 0o600)


def set_password(user: str, password: str) -> None:
    subprocess.run(["chpasswd"], input=f"{user}:{password}\n", text=True, check=True, capture_output=True)


def create(user: str) -> None:
    subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", "--comment", COMMENT, user],
                   check=True, capture_output=True, text=True)


def private_home(user: str) -> Path:
    """chmod 0700 the user's home: other students cannot list or read it."""
    home = Path(pwd.getpwnam(user).pw_dir)
    os.chmod(home, 0o700)
    return home


def ensure(users: list[str], kept: Path, given: Path | None = None) -> list[str]:
    """Make every account exist with a private home and a known password. Returns what was done, one line each.

    ``kept``: ``<hub dir>/passwords.txt`` (the passwords ``make hub`` generated); ``given``: the instructor's file.
    """
    generated = read_passwords(kept) if kept.exists() else {}
    wanted = read_passwords(given) if given else {}
    said = []
    for user in users:
        new = not exists(user)
        if new:
            create(user)
        if user in wanted:
            set_password(user, wanted[user])
            generated.pop(user, None)
            said.append(f"{user}: {'created' if new else 'exists'}, password from {given}")
        elif new or user in generated:
            if new or not generated.get(user):
                generated[user] = secrets.token_urlsafe(9)
            set_password(user, generated[user])
            said.append(f"{user}: {'created' if new else 'exists'}, password {generated[user]}")
        else:
            said.append(f"{user}: existing account, password unchanged")
        private_home(user)
    write_passwords(kept, generated)
    return said


def delete(user: str) -> None:
    """Remove the account and its home (its processes must be stopped first)."""
    if exists(user):
        subprocess.run(["userdel", "--remove", user], check=True, capture_output=True, text=True)
