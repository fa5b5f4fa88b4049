"""Media storage that may be down: what its failures look like, and forms that
store their uploads while they can still say so.

With media on object storage (config/object_storage.py) a store that does
not answer is an ordinary fault, like a full disk: an editor's upload must
fail with a message and nothing half-saved, and no public page may depend on
it (pages only format URLs; see core.renditions).
"""

import logging

from django.db.models import FileField

logger = logging.getLogger(__name__)

# What a storage call raises when the store is unreachable or refuses: the
# local disk's OSError, botocore's connection and timeout errors, the
# store's error answers, and boto3's wrapper of a failed upload.
try:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # boto3 is only needed for S3; the local disk needs none.
    STORAGE_ERRORS = (OSError,)
else:
    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError, Boto3Error)

STORAGE_DOWN = (
    "The image store is not answering, so the image was not saved. Nothing "
    "else was saved either: try again in a few minutes."
)


def store_pending_files(form):
    """Store the new files of a valid ModelForm's instance now; on failure,
    turn the form invalid with STORAGE_DOWN on the file's field.

    The model's save() would store them too, but only after the admin has
    committed to saving: a store that fails then answers a 500 and loses
    everything the editor typed. Stored here, a failure is a form error on a
    page that keeps the editor's text. (A save that fails after this point
    leaves an unused file in the store; a new upload never reuses its name.)
    """
    if not form.is_bound or form.errors:
        return
    instance = form.instance
    for field in instance._meta.concrete_fields:
        if not isinstance(field, FileField) or field.name not in form.fields:
            continue
        new_file = getattr(instance, field.name)
        if not new_file or new_file._committed:
            continue
        try:
            # What FileField.pre_save() does, a step earlier.
            new_file.save(new_file.name, new_file.file, save=False)
        except STORAGE_ERRORS:
            logger.warning("Could not store %s", new_file.name, exc_info=True)
            form.add_error(field.name, STORAGE_DOWN)


class StoresUploadsMixin:
    """A ModelForm mixin: validation ends by storing new files
    (`store_pending_files`), so a store that is down is a form error."""

    def full_clean(self):
        super().full_clean()
        store_pending_files(self)
