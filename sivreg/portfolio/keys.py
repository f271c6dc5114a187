"""The register key: who may have written the register.

The hash chain (register.py) shows that rows were changed, unless whoever changed them also
recomputed every hash, which sivreg's own code can do for anyone. So each run also signs
the head of the chain with an HMAC-SHA256 (standard library) under a secret key that is kept
*outside* the output folder: without the key a rewritten register cannot be signed again, and
`sivreg portfolio verify --key FILE` finds it.

The key file holds 32 random bytes as 64 hex digits and one line break. `sivreg portfolio
init-key FILE` writes one, readable by its owner only (0600), and never over an existing file.
The key is found through `--key FILE`, else the environment variable SIVREG_REGISTER_KEY
(the path of the file, never the key itself: environment values end up in process listings
and logs). A key inside the output folder is refused: a key next to the register protects
nothing, since whoever can rewrite the register can read the key too.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from ..io import UserError

ENV = "SIVREG_REGISTER_KEY"
DOMAIN = "sivreg.register/1"  # what is signed is never valid as anything else


@dataclass(frozen=True)
class Key:
    secret: bytes
    path: str

    @property
    def key_id(self) -> str:
        """A short public name of the key (not the key): which key signed a run."""
        return hashlib.sha256(b"sivreg key id\n" + self.secret).hexdigest()[:16]

    def sign(self, run_id: int, seq: int, head: str) -> str:
        msg = f"{DOMAIN}\n{run_id}\n{seq}\n{head}".encode("ascii")
        return hmac.new(self.secret, msg, hashlib.sha256).hexdigest()

    def check(self, run_id: int, seq: int, head: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(run_id, seq, head), str(signature or ""))


def init_key(path: str | Path) -> Key:
    """Write a new key file (0600, never over an existing file)."""
    path = Path(path)
    secret = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UserError("portfolio.err.key_exists", file=str(path)) from None
    except OSError as exc:
        raise UserError("portfolio.err.key_unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return Key(secret, str(path))


def load_key(path: str | Path) -> Key:
    """Read a key file; a file that is not one, or that others may read, is refused."""
    path = Path(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise UserError("portfolio.err.key_bad", file=str(path))
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError as exc:
        raise UserError("portfolio.err.key_unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    if st.st_mode & 0o077:  # like ssh: a secret others can read is no secret
        raise UserError("portfolio.err.key_open", file=str(path), mode=oct(st.st_mode & 0o777))
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != 32:
        raise UserError("portfolio.err.key_bad", file=str(path))
    return Key(secret, str(path))


def find_key(given: str | Path | None, out_dir: str | Path | None = None) -> Key | None:
    """--key, else $SIVREG_REGISTER_KEY, else None (unsigned). A key inside the output folder
    is refused."""
    path = given or os.environ.get(ENV) or None
    if not path:
        return None
    if out_dir is not None:
        try:
            inside = Path(path).resolve().is_relative_to(Path(out_dir).resolve())
        except OSError:
            inside = False
        if inside:
            raise UserError("portfolio.err.key_in_out", file=str(path), folder=str(out_dir))
    return load_key(path)
