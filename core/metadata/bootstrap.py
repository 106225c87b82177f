"""First-start state: the default collection and an admin key."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.metadata import accounts
from core.metadata.collections import ensure_default_collection
from core.metadata.db import Database
from core.metadata.migration import schema_lock, upgrade
from core.types import Role

log = logging.getLogger(__name__)
BOOTSTRAP_ADMIN = "admin"


@dataclass
class BootstrapResult:
    generated_admin_key: str | None = None  # to print once; never logged


def bootstrap(db: Database, admin_key: str | None) -> BootstrapResult:
    """Upgrade the schema, create the default collection and, if no admin key exists, one admin key.

    With ``admin_key`` (``KNOWBASE_ADMIN_KEY``) that exact key is registered for user ``admin``;
    otherwise a key is generated only when no active admin key exists, and returned to be shown once.
    All of it runs under the schema lock, so processes starting together create each thing once.
    """
    result = BootstrapResult()
    with schema_lock(db):
        upgrade(db)
        with db.session() as session:
            ensure_default_collection(session=session)
            if admin_key:
                if not accounts.key_exists(session=session, key=admin_key):
                    accounts.create_key(
                        session=session,
                        user=BOOTSTRAP_ADMIN,
                        role=Role.admin,
                        name="KNOWBASE_ADMIN_KEY",
                        raw_key=admin_key,
                    )
                    log.info("registered the bootstrap admin key from KNOWBASE_ADMIN_KEY")
            elif accounts.count_active_admin_keys(session=session) == 0:
                created = accounts.create_key(session=session, user=BOOTSTRAP_ADMIN, role=Role.admin, name="bootstrap")
                result.generated_admin_key = created.key
                log.info("generated a bootstrap admin key; it is printed once on the terminal, never logged")
    return result
