"""The server's Ed25519 key, signed checkpoints and the server's own last checkpoint.

The key lives in a file outside the database (``--signing-key``, else
``$CHARTER_SIGNING_KEY``, else beside the SQLite file, else in the user's data directory),
created 0600 when missing. A checkpoint is ``{size, root, key_id, key, signature}``: the
signature covers the size and the Merkle root (see :mod:`charter.ledger.merkle`), so whoever
can write the database but not read the key cannot make one. The server keeps its newest
checkpoint in a file beside the key, one per database, and refuses a database whose log does
not extend it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from charter.errors import CharterError
from charter.ledger.db import DatabaseError

__all__ = ["Signer", "Tampered", "Verifier", "check_checkpoint", "default_key_path", "statement"]

KEY_ENV = "CHARTER_SIGNING_KEY"


class Tampered(DatabaseError):
    """The database does not match what the server signed: rows were changed, removed or
    forged by someone who can write the database (the service answers 503, the reason in
    its log; the CLI exits 2)."""


def default_key_path(db_url: str) -> Path:
    """``$CHARTER_SIGNING_KEY``, else beside the SQLite file, else the user's data dir."""
    env = os.environ.get(KEY_ENV)
    if env:
        return Path(env)
    from charter.ledger.db import _sqlite_path

    path = _sqlite_path(db_url)
    if path is not None:
        return path.parent / "charter-ledger.key"
    from platformdirs import user_data_dir

    return Path(user_data_dir("charter")) / "ledger.key"


def statement(size: int, root: str, key_id: str) -> bytes:
    """What a checkpoint's signature signs."""
    return f"charter-ledger-checkpoint/v1\n{key_id}\n{size}\n{root}\n".encode()


def row_statement(table: str, fields: dict[str, Any]) -> bytes:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return f"charter-row/v1\n{table}\n{body}\n".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def public_key(b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(b64))


def key_id_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def check_checkpoint(cp: dict[str, Any], key_b64: str | None = None) -> str | None:
    """None if ``cp`` carries a valid signature (by ``key_b64`` when given, which a party
    pins from its first checkpoint), else why not."""
    try:
        key = key_b64 or cp["key"]
        raw = base64.b64decode(key)
        if key_id_of(raw) != cp["key_id"]:
            return "the checkpoint's key id is not its key's (or not the key you kept)"
        public_key(key).verify(
            base64.b64decode(cp["signature"]), statement(int(cp["size"]), cp["root"], cp["key_id"])
        )
    except InvalidSignature:
        return "the checkpoint's signature is not the server's"
    except (KeyError, TypeError, ValueError) as exc:
        return f"not a checkpoint ({exc})"
    return None


class Verifier:
    """Checks the server's signatures with its public key alone (base64 ``public``): what a
    party, or `charter ledger verify` without the private key, can do."""

    def __init__(self, public: str) -> None:
        try:
            raw = base64.b64decode(public, validate=True)
            self._key = Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            raise CharterError(f"not an Ed25519 public key ({exc})") from None
        self.public = public
        self.key_id = key_id_of(raw)

    def _ok(self, signature: str | None, message: bytes) -> bool:
        if not signature:
            return False
        try:
            self._key.verify(base64.b64decode(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def row_ok(self, table: str, fields: dict[str, Any], signature: str | None) -> bool:
        return self._ok(signature, row_statement(table, fields))

    def event_ok(self, size: int, root: str, signature: str | None) -> bool:
        return self._ok(signature, statement(size, root, self.key_id))


class Signer:
    """The server's key (created 0600 when missing) and its checkpoint file per database."""

    def __init__(self, path: Path, db_url: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        #: the largest size this process signed and saw committed (see :meth:`remember`)
        self.seen = 0
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
        try:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise CharterError(f"cannot read the ledger signing key {path}: {exc}") from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise CharterError(f"{path} is not an Ed25519 private key")
        self._key = loaded
        raw = loaded.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public = _b64(raw)
        self.key_id = key_id_of(raw)
        self.verifier = Verifier(self.public)
        from charter.ledger.db import mask_url

        where = hashlib.sha256(mask_url(db_url).encode()).hexdigest()[:12]
        self.checkpoint_file = path.with_name(f"{path.name}.checkpoint-{where}.json")

    def sign(self, size: int, root: str) -> dict[str, Any]:
        sig = self._key.sign(statement(size, root, self.key_id))
        return {
            "size": size,
            "root": root,
            "key_id": self.key_id,
            "key": self.public,
            "signature": _b64(sig),
        }

    def sign_row(self, table: str, fields: dict[str, Any]) -> str:
        return _b64(self._key.sign(row_statement(table, fields)))

    def row_ok(self, table: str, fields: dict[str, Any], signature: str | None) -> bool:
        return self.verifier.row_ok(table, fields, signature)

    def event_ok(self, size: int, root: str, signature: str | None) -> bool:
        return self.verifier.event_ok(size, root, signature)

    # ------------------------------------------------------------ the server's last checkpoint
    def last(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.checkpoint_file.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            msg = f"cannot read the server's checkpoint {self.checkpoint_file}: {exc}"
            raise Tampered(msg) from None
        return data

    def remember(self, cp: dict[str, Any]) -> None:
        """Keep ``cp`` as the last checkpoint if it is newer than the one kept."""
        with self._lock:
            self.seen = max(self.seen, int(cp["size"]))
            last = self.last()
            if last is not None and int(last["size"]) >= int(cp["size"]):
                return
            tmp = self.checkpoint_file.with_name(self.checkpoint_file.name + ".tmp")
            tmp.write_text(json.dumps(cp, indent=1))
            os.replace(tmp, self.checkpoint_file)
