"""What the site-search tests share: the address, a search, its result titles."""

from django.urls import reverse

SEARCH = reverse("home:search")


def search(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return response


def titles(response):
    return [result.title for result in response.context["results"]]
