"""Files attached to an incident (signed mandates, evidence photos, recordings, sealed PDFs).

Bytes live in the instance folder under attachments/<sha256>; the row keeps the metadata and the
hash. A file becomes visible under its name only once its row has committed (`store`), so neither
a refused upload nor a failed batch leaves a file without a row; `check` finds what a crash left.
"""
from incident.attachments.models import ALLOWED_TYPES, MAX_BYTES, Attachment
from incident.attachments.files import configure, folder, read, store

__all__ = ["ALLOWED_TYPES", "MAX_BYTES", "Attachment", "configure", "folder", "read", "store"]
