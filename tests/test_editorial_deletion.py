"""Deleting something others depend on is refused with a message, never a 500.

A signatory with signatures, or a summit with declarations, is protected
(`on_delete=PROTECT`): the admin explains what is in the way and deletes
nothing, from the delete button and from the list's bulk action alike.
"""

import pytest
from django.urls import reverse

from summits.models import Declaration, Signatory, Signature, Summit
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_signatory_with_signatures_is_refused_with_a_message(
    staff_client,
):
    signature = SignatureFactory(signatory__name="France")
    url = reverse("admin:summits_signatory_delete", args=[signature.signatory.pk])

    page = staff_client.get(url)
    assert page.status_code == 200
    assert "would require deleting the following protected" in page.text
    assert str(signature.declaration) in page.text

    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Signatory.objects.filter(name="France").exists()
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_the_bulk_delete_action_refuses_too(staff_client):
    signature = SignatureFactory(signatory__name="France")
    response = staff_client.post(
        reverse("admin:summits_signatory_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [signature.signatory.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 200
    assert "protected" in response.text
    assert Signatory.objects.filter(name="France").exists()


def test_deleting_a_summit_with_declarations_is_refused_with_a_message(
    staff_client,
):
    declaration = DeclarationFactory(summit__name="Bletchley Park")
    url = reverse("admin:summits_summit_delete", args=[declaration.summit.pk])

    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected" in response.text
    assert declaration.title in response.text
    assert Summit.objects.filter(name="Bletchley Park").exists()
    assert Declaration.objects.filter(pk=declaration.pk).exists()


def test_a_signatory_without_signatures_can_still_be_deleted(staff_client):
    signatory = SignatoryFactory(name="Atlantis")
    url = reverse("admin:summits_signatory_delete", args=[signatory.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Signatory.objects.filter(name="Atlantis").exists()
