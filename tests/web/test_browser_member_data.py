"""A member takes their lists out and brings them in from settings, in a real browser."""

import pytest
from playwright.sync_api import expect

from parley.accounts import services as account_services
from parley.accounts.models import Block
from tests.web.test_browser_member_ui import log_in, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)


def test_export_follows_and_import_blocks_from_settings(live_server, browser, member,
                                                        make_member, tmp_path):
    bob, carol = make_member("bob"), make_member("carol")
    account_services.follow(member, bob)
    page = open_page(browser)
    log_in(page, live_server.url, "alice")

    page.goto(f"{live_server.url}/settings/profile")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Follows (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "following_accounts.csv"
    exported = download.path().read_text()
    assert exported.splitlines()[1] == "bob@localhost,true,false,"

    blocks = tmp_path / "blocked_accounts.csv"
    blocks.write_text("carol@localhost\nnobody@localhost\n")
    page.get_by_label("What the file lists").select_option("blocks")
    page.get_by_label("CSV file").set_input_files(str(blocks))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("status").filter(has_text="Added 1")).to_contain_text(
        "skipped 1")
    expect(page.get_by_text("nobody@localhost: unknown account")).to_be_visible()
    assert Block.objects.filter(blocker=member, blocked=carol).exists()
    assert page.csp_errors == []
