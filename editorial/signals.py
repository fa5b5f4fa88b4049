"""Remember a published item's old address when an editor changes its slug.

The old address is read from the database before the save (one small query,
only for saves of existing rows) and stored after it, in the same
transaction, so a save that fails leaves no redirect behind.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from articles.models import Article
from editorial.models import SlugRedirect
from summits.models import Declaration, Signatory, Summit

# Models whose public address contains their slug.
SLUGGED_MODELS = (Summit, Declaration, Signatory, Article)


def was_public(old):
    # Signatories have no publishing state: their page is public from the start.
    is_published = getattr(old, "is_published", None)
    return True if is_published is None else is_published


def path_for_slug(instance, slug):
    """The address `instance` had, or would have, with `slug`."""
    copy = type(instance)(pk=instance.pk, slug=slug)
    return copy.get_absolute_url()


@receiver(pre_save, dispatch_uid="editorial_note_old_slug")
def note_old_slug(sender, instance, raw=False, **kwargs):
    if sender not in SLUGGED_MODELS or instance.pk is None:
        return
    fields = ["slug"]
    if hasattr(instance, "published_at"):
        fields += ["status", "published_at"]
    old = sender._default_manager.filter(pk=instance.pk).only(*fields).first()
    if old is None or not old.slug or old.slug == instance.slug:
        return
    if was_public(old):
        instance._editorial_old_path = path_for_slug(old, old.slug)


@receiver(post_save, dispatch_uid="editorial_record_slug_redirect")
def record_slug_redirect(sender, instance, raw=False, **kwargs):
    if sender not in SLUGGED_MODELS:
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
