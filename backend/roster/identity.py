"""Owner ids never stored in clear: a keyed hash (HMAC-SHA256) still lets equal ids match."""

import hashlib
import hmac

from flask import current_app


def hash_id(text):
    key = current_app.config["ID_HASH_KEY"].encode()
    return hmac.new(key, text.strip().upper().encode(), hashlib.sha256).hexdigest()


def owner_key(names, id_hashes):
    """The identity of an owner within a compound, or None when no id is known (an owner of its own).

    Co-owners form one owner: the key covers every co-owner's id, and the name of a co-owner listed without one,
    so the same set of people owning two units is one owner, and a different set is another.
    """
    if not id_hashes:
        return None
    parts = sorted(id_hashes) + sorted("name:" + n for n in names[len(id_hashes) :])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
