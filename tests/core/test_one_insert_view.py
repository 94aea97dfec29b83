"""The load bench's reference for posting: a bare view doing one insert, served only by the
bench's own servers (PARLEY_BENCH_VIEWS=on)."""

import pytest
from django.test import Client

from parley.core.models import BenchInsert

pytestmark = pytest.mark.django_db


def test_an_instance_does_not_serve_it(settings):
    settings.PARLEY_BENCH_VIEWS = False
    response = Client().post("/bench/one-insert")
    assert response.status_code == 404
    assert BenchInsert.objects.count() == 0


def test_the_bench_server_inserts_one_row_per_post(settings):
    settings.PARLEY_BENCH_VIEWS = True
    client = Client()
    first = client.post("/bench/one-insert", "{}", content_type="application/json")
    second = client.post("/bench/one-insert", "{}", content_type="application/json")
    assert first.status_code == second.status_code == 201
    assert BenchInsert.objects.count() == 2
    assert second.json()["id"] > first.json()["id"]
    assert client.get("/bench/one-insert").status_code == 405
    assert BenchInsert.objects.count() == 2
