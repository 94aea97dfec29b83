"""Hash lists of known violating content: CSV import/export, text and image matches."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from parley.core.errors import ValidationFailed
from parley.posts import services as posts
from parley.posts.models import MediaAttachment, PostState
from parley.safety.screening import services as screening
from parley.safety.screening.fingerprints import text_sha256
from parley.safety.screening.selectors import list_hashes

pytestmark = pytest.mark.django_db(transaction=True)
IMAGE_A, IMAGE_B = "a" * 64, "b" * 64


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows() -> set[tuple]:
    return set(list_hashes().values_list("kind", "hash", "category", "action", "source", "note"))


def test_csv_import_then_export_round_trips(tmp_path, capsys, audit_events):
    listed = _write(tmp_path, "ngo-list.csv", (
        "kind,hash,category,action,source,note\n"
        f"image,{IMAGE_A.upper()},protection_of_minors,reject,,from the hotline\n"
        f"image,{IMAGE_B},violence,hold,gifct,\"attack video, frame 1\"\n"
        f"text,{'c' * 64},violence,case,gifct,manifesto\n"
    ))

    call_command("safety", "hashes", "import", str(listed))

    assert "3 new, 0 updated" in capsys.readouterr().out
    before = _rows()
    assert ("image", IMAGE_A, "protection_of_minors", "reject", "ngo-list",
            "from the hotline") in before
    exported = tmp_path / "out.csv"
    call_command("safety", "hashes", "export", str(exported))
    call_command("safety", "hashes", "import", str(exported))
    assert "0 new, 3 updated" in capsys.readouterr().out
    assert _rows() == before
    assert audit_events("screening.hashes") == ["screening.hashes.imported"] * 2
    call_command("safety", "hashes", "export", "--kind", "image")
    assert capsys.readouterr().out.count("\n") == 3  # header and two images


@pytest.mark.parametrize(("bad_line", "complaint"), [
    ("image,not-a-hash,violence,reject,,", "64 hexadecimal"),
    (f"image,{IMAGE_B},genocide,reject,,", "Unknown category"),
    (f"video,{IMAGE_B},violence,reject,,", "Unknown kind"),
    (f"image,{IMAGE_B},violence,ban,,", "Unknown action"),
    (f"image,{IMAGE_B},violence,reject,,,surplus", "more fields"),
])
def test_a_bad_csv_line_changes_nothing_and_is_named(tmp_path, bad_line, complaint):
    screening.add_hash("image", IMAGE_A, category="violence", action="hold", source="old")
    before = _rows()
    path = _write(tmp_path, "new.csv", "kind,hash,category,action,source,note\n"
                  f"image,{IMAGE_A},violence,reject,new,changed\n" + bad_line + "\n")

    with pytest.raises(CommandError, match=f"line 3: .*{complaint}.*nothing imported"):
        call_command("safety", "hashes", "import", str(path))

    assert _rows() == before


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = _write(tmp_path, "x.csv", "sha,label\nabc,bad\n")
    with pytest.raises(CommandError, match="line 1: the header"):
        call_command("safety", "hashes", "import", str(path))


def test_listed_text_is_caught_even_when_disguised(member, cases_about):
    screening.add_text_hash("Join the Glorious Uprising at dawn", category="violence",
                            action="hold", source="gifct")
    path_text = "j0in the glorious uprising at DAWN"

    post = posts.create_post(member, path_text)

    assert post.state == PostState.HELD
    [case] = cases_about(post=post)
    assert text_sha256(path_text)[:16] in str(case.screening)


def test_text_rows_can_be_given_as_text_in_csv(tmp_path, member):
    path = _write(tmp_path, "t.csv",
                  "kind,text,category,action\ntext,Send 1 BTC get 2 back,scams_and_fraud,reject\n")
    call_command("safety", "hashes", "import", str(path))

    with pytest.raises(ValidationFailed, match="not allowed"):
        posts.create_post(member, "send 1 btc get 2 back")


def test_listed_image_is_rejected_at_upload(member, api_for, audit_events):
    listed = _png((200, 10, 10))
    screening.add_hash("image", hashlib.sha256(listed).hexdigest(),
                       category="protection_of_minors", action="case", source="hotline")
    client = api_for(member, "read write")

    refused = client.post("/api/v2/media",
                          {"file": SimpleUploadedFile("x.png", listed, "image/png")},
                          format="multipart")
    accepted = client.post("/api/v2/media",
                           {"file": SimpleUploadedFile("y.png", _png((1, 2, 3)), "image/png")},
                           format="multipart")

    # protection_of_minors rejects any hash match, whatever the list's action says
    assert refused.status_code == 422
    assert "known violating content" in refused.json()["error"]
    assert accepted.status_code == 200
    assert MediaAttachment.objects.filter(owner=member).count() == 1
    assert "screening.media.reject" in audit_events()


def test_image_listed_for_hold_holds_the_post_that_attaches_it(member):
    image = _png((9, 9, 9))
    upload = posts.attach_media(member, SimpleUploadedFile("z.png", image, "image/png"))
    screening.add_hash("image", upload.sha256, category="violence", action="hold")

    post = posts.create_post(member, "", media_ids=[upload.pk])

    assert post.state == PostState.HELD


def test_a_removed_posts_text_and_images_can_be_listed(member, other_member):
    upload = posts.attach_media(member, SimpleUploadedFile("q.png", _png((5, 5, 5)),
                                                           "image/png"))
    removed = posts.create_post(member, "an awful thing said here", media_ids=[upload.pk])
    posts.transition_post(removed, PostState.REMOVED)

    entries = screening.add_post_to_hash_lists(removed, category="violence")

    assert {e.kind for e in entries} == {"text", "image"}
    assert posts.create_post(other_member, "An awful thing said here!").state == PostState.HELD


def test_editing_a_post_to_attach_a_listed_image_holds_it(member):
    upload = posts.attach_media(member, SimpleUploadedFile("e.png", _png((7, 7, 7)),
                                                           "image/png"))
    post = posts.create_post(member, "holiday pictures soon")
    screening.add_hash("image", upload.sha256, category="violence", action="hold")

    posts.edit_post(member, post, text="holiday pictures", media_ids=[upload.pk])

    post.refresh_from_db()
    assert post.state == PostState.HELD
