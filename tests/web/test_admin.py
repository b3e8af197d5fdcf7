"""The admin page in a real browser: the token, an upload with a bad row, a training job."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ADMIN_TOKEN, FIXTURES

pytestmark = pytest.mark.slow


def sign_in(page, token: str = ADMIN_TOKEN) -> None:
    """Open the admin page and enter the token."""
    page.goto("/admin")
    page.get_by_label("Token", exact=True).fill(token)
    page.get_by_role("button", name="Use this token").click()


def test_admin_wrong_token_is_refused_in_the_page(page):
    page.expected_console_errors = ["403"]
    sign_in(page, "not-the-token")
    expect(page.get_by_role("alert")).to_contain_text("The admin token is wrong")
    expect(page.locator("#admin-work")).to_be_hidden()
    assert "not-the-token" not in page.url


def test_admin_upload_with_a_bad_row_names_the_problem_and_its_line(page, tmp_path: Path):
    lines = (FIXTURES / "companies.csv").read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",JP,", ",Japan-ish,", 1)  # line 5 of the file
    bad = tmp_path / "companies.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.expected_console_errors = ["422"]
    sign_in(page)
    expect(page.get_by_role("heading", name="Upload a new company list")).to_be_visible()
    page.get_by_label("Company list", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Upload and train").click()
    problems = page.locator("table[data-problems] tbody tr")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[1] == "5" and "country" in (cells[2] + cells[3]).lower()
    expect(page.get_by_role("alert")).to_contain_text("The uploaded list has problems")


def test_admin_token_is_kept_for_the_session_and_a_valid_list_trains(page):
    sign_in(page)
    expect(page.locator("#versions tbody tr")).to_have_count(1)
    page.reload()  # the token is still there: no second sign-in
    expect(page.locator("#admin-work")).to_be_visible()
    page.get_by_label("Company list", exact=True).set_input_files(FIXTURES / "companies.csv")
    page.get_by_label("Partnerships (optional)").set_input_files(FIXTURES / "partnerships.csv")
    page.get_by_role("button", name="Upload and train").click()
    expect(page.locator("#upload-result")).to_contain_text("training job")
    done = page.locator("#job [data-job-state=succeeded], #job [data-job-state=rejected]")
    expect(done).to_be_visible(timeout=90_000)
    expect(page.locator("#job .gate")).to_be_visible()
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("[data-diff=summary]")).to_contain_text("firms")


def test_admin_token_form_goes_away_once_accepted(page):
    sign_in(page)
    expect(page.locator("#signed-in")).to_be_visible()
    expect(page.locator("#token-form")).to_be_hidden()
    page.get_by_role("button", name="Forget the token").click()
    expect(page.locator("#token-form")).to_be_visible()
    expect(page.locator("#admin-work")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_admin_promotes_a_version_and_rolls_back(page, live_models: Path):
    from kakehashi.registry import current_version
    from training.train import load_inputs, train

    served = current_version(live_models)
    inputs = load_inputs(FIXTURES / "companies.csv", FIXTURES / "partnerships.csv")
    extra = train(inputs, live_models, promote=False).version
    sign_in(page)
    page.get_by_role("button", name=f"Promote {extra}").click()
    expect(page.locator("#versions-result")).to_contain_text(f"Now serving {extra}")
    page.get_by_role("button", name="Roll back to the previous version").click()
    expect(page.locator("#versions-result")).to_contain_text(f"Now serving {served}")
    page.get_by_role("link", name="Find a company").click()
    expect(page.locator("footer")).to_contain_text(served)
