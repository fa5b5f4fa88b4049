"""Remember a public item's old address when an editor changes its slug.

The old address is read from the database before the save (one small query,
only for saves of existing rows, plus the model's `public()` check when the
slug changed) and stored after it, in the same transaction, so a save that
fails leaves no redirect behind. An address only a draft ever had (a draft
summit, or a signatory recorded only on a draft declaration) was never seen
by visitors: it gets no redirect, which would reveal the new slug.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from editorial.models import SlugRedirect


def keeps_old_addresses(model):
    """Models say so themselves (`keeps_old_addresses = True`): those whose
    public address contains their slug. Editorial names no content app."""
    return getattr(model, "keeps_old_addresses", False)


def path_for_slug(instance, slug):
    """The address `instance` had, or would have, with `slug`."""
    copy = type(instance)(pk=instance.pk, slug=slug)
    return copy.get_absolute_url()


@receiver(pre_save, dispatch_uid="editorial_note_old_slug")
def note_old_slug(sender, instance, raw=False, **kwargs):
    if not keeps_old_addresses(sender) or instance.pk is None:
        return
    manager = sender._default_manager
    old = manager.filter(pk=instance.pk).only("slug").first()
    if old is None or not old.slug or old.slug == instance.slug:
        return
    # The row is not saved yet: `public()` still answers for the old state.
    if manager.public().filter(pk=instance.pk).exists():
        instance._editorial_old_path = path_for_slug(old, old.slug)


@receiver(post_save, dispatch_uid="editorial_record_slug_redirect")
def record_slug_redirect(sender, instance, raw=False, **kwargs):
    if not keeps_old_addresses(sender):
        return
    old_path = instance.__dict__.pop("_editorial_old_path", None)
    if old_path is None:
        return
    content_type = ContentType.objects.get_for_model(sender)
    # The address last used by an item points at that item, even if another
    # item had it before.
    SlugRedirect.objects.update_or_create(
        old_path=old_path,
        defaults={"content_type": content_type, "object_id": instance.pk},
    )
    # An item given back an address it used to have no longer needs the
    # redirect from it.
    SlugRedirect.objects.filter(
        old_path=instance.get_absolute_url(),
        content_type=content_type,
        object_id=instance.pk,
    ).delete()
