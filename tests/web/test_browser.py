"""The web app in a real browser: search, a company's partners, filters, languages, ad-hoc profiles.

Each test gets a fresh context (no cookies); the `page` fixture fails it on any request outside
127.0.0.1 and on any console error.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def partner_ids(page) -> list[str]:
    """The ids of the ranked partners shown, in order."""
    return page.locator("#partners li.partner").evaluate_all(
        "items => items.map(item => item.dataset.partnerId)"
    )


@pytest.mark.parametrize(
    ("typed", "name", "company_id"),
    [("Sample Mo", "Sample Motors", "jp-auto"), ("サンプル製", "Sample Pharma", "jp-pharma")],
)
def test_find_suggests_english_and_japanese_names_and_opens_the_company(
    page, typed, name, company_id
):
    page.goto("/")
    page.get_by_role("combobox", name="Company name").press_sequentially(typed, delay=20)
    options = page.locator("#suggestions").get_by_role("option")
    expect(options).to_have_count(1)  # the answer to the whole text, not to a prefix of it
    expect(options).to_contain_text(name)
    expect(page.get_by_role("combobox", name="Company name")).to_have_attribute(
        "aria-expanded", "true"
    )
    page.get_by_role("combobox", name="Company name").press("ArrowDown")
    expect(options).to_have_attribute("aria-selected", "true")
    page.get_by_role("combobox", name="Company name").press("Enter")
    expect(page).to_have_url(re.compile(f"/companies/{company_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_find_filters_by_country_and_sector_without_script(page):
    page.goto("/")
    page.get_by_label("Country").select_option("IL")
    page.get_by_label("Sector", exact=True).select_option("cyber")
    page.get_by_role("button", name="Search").click()
    names = page.locator("ul.companies > li > a").all_inner_texts()
    assert names and all(n.startswith("Example") for n in names)
    assert "Example Endpoint" in names and "Example Lidar" not in names


def test_company_page_shows_ranked_partners_with_explanations(page):
    page.goto("/companies/jp-auto")
    first = page.locator("#partners li.partner").first
    expect(first.locator(".strength")).to_have_text(re.compile("match$"))
    expect(first.locator("meter")).to_have_attribute("value", re.compile(r"^0\.\d+"))
    expect(first.locator(".summary mark").first).to_be_visible()
    expect(page.get_by_role("heading", name="Best Israeli partners")).to_be_visible()
    assert all(pid.startswith("il-") for pid in partner_ids(page))


def test_company_filter_updates_the_list_without_a_reload(page):
    page.goto("/companies/jp-auto")
    before = partner_ids(page)
    page.evaluate("window.notReloaded = true")
    page.locator(
        "summary", has_text="Only partners in these sectors"
    ).click()  # opens the sector list
    page.get_by_role("checkbox", name="Fintech").check()
    expect(page).to_have_url(re.compile(r"sector=fintech"))
    expect(page.locator("#partners")).to_have_attribute("aria-busy", "false")
    after = partner_ids(page)
    assert after and after != before
    assert set(after) <= {"il-fraud", "il-payments"}  # the fixture's only fintech firms
    assert page.evaluate("window.notReloaded") is True
    page.reload()  # the URL carries the filter: a reload shows the same list
    assert partner_ids(page) == after
    expect(page.get_by_role("checkbox", name="Fintech")).to_be_checked()


def test_company_filter_error_is_shown_in_the_page_language(page):
    page.goto("/companies/jp-auto")
    page.get_by_role("link", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")  # the Japanese page is parsed
    page.wait_for_load_state()  # and its module scripts ran: the form's handlers are attached
    page.expected_console_errors = ["422"]
    # a stale form (or a hand-edited URL) asking for more partners than the API allows
    page.locator("#top_k").evaluate("select => { select.options[0].value = '500'; }")
    page.get_by_label("表示件数").select_option(index=0)
    alert = page.locator("#partners [role=alert]")
    expect(alert).to_contain_text("絞り込みの値が正しくありません")
    expect(alert).to_contain_text("top_k")


def test_reverse_view_lists_japanese_partners_of_an_israeli_firm(page):
    page.goto("/companies/il-lidar")
    expect(page.get_by_role("heading", name="Best Japanese partners")).to_be_visible()
    ids = partner_ids(page)
    assert ids and all(pid.startswith("jp-") for pid in ids)


def test_language_toggle_is_remembered_across_pages(page):
    page.goto("/companies/jp-auto")
    page.get_by_role("link", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_url(re.compile("/companies/jp-auto$"))
    expect(page.get_by_role("heading", name="おすすめのイスラエル企業")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("サンプル自動車")
    page.goto("/match")
    expect(page.get_by_role("heading", level=1)).to_have_text("リストにない企業")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a company")


def test_match_ranks_an_ad_hoc_profile(page):
    page.goto("/match")
    page.get_by_label("Firm name (optional)").fill("Kyoto Vision")
    page.get_by_role("checkbox", name="AR / VR and spatial computing").check()
    page.get_by_label("What it looks for in a partner").fill("waveguide optics for headsets")
    page.get_by_role("button", name="Find partners").click()
    expect(page.get_by_role("heading", name="Best partners for Kyoto Vision")).to_be_visible()
    ids = page.locator("li.partner").evaluate_all("items => items.map(i => i.dataset.partnerId)")
    assert ids[0] == "il-waveguide"


def test_match_error_is_shown_in_the_form_in_japanese(page):
    page.goto("/language/ja?next=/match")
    page.expected_console_errors = ["422"]
    page.get_by_role("button", name="パートナーを探す").click()
    expect(page.get_by_role("alert")).to_contain_text("企業プロフィールが不完全か正しくありません")
    expect(page.get_by_role("heading", level=1)).to_have_text("リストにない企業")


def test_unknown_company_is_an_error_page_in_the_users_language(page):
    page.expected_console_errors = ["404"]
    page.goto("/language/ja?next=/companies/no-such-firm")
    expect(page.get_by_role("alert")).to_contain_text("この ID の企業はリストにありません")
    assert page.locator("html").get_attribute("lang") == "ja"


def test_keyboard_reaches_the_skip_link_first(page):
    page.goto("/companies/jp-auto")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_feedback_is_recorded_and_shown_after_a_reload(page):
    page.goto("/companies/jp-health")
    page.get_by_label("Your name for feedback (optional)").fill("Aiko")
    page.get_by_label("Your name for feedback (optional)").press("Tab")
    partner = page.locator("#partners li.partner").first
    partner_id = partner.get_attribute("data-partner-id")
    partner.get_by_label("Note (optional)").fill("met at the Tel Aviv booth")
    partner.get_by_role("button", name="Met").click()
    expect(partner.get_by_role("status")).to_have_text("Recorded: Met.")
    page.reload()
    partner = page.locator(f'#partners li.partner[data-partner-id="{partner_id}"]')
    expect(partner.locator(".recorded-list li").first).to_contain_text("met at the Tel Aviv booth")
    expect(partner.locator(".recorded-list li").first).to_contain_text("Aiko")
    expect(partner.get_by_role("button", name="Met")).to_have_attribute("aria-pressed", "true")
    recorded = page.request.get(f"/v1/feedback?japanese_id=jp-health&israeli_id={partner_id}")
    assert [item["label"] for item in recorded.json()["items"]] == ["met"]


def test_feedback_not_relevant_leaves_the_partner_out_after_a_reload(page):
    page.goto("/language/ja?next=/companies/jp-elec")
    partner = page.locator("#partners li.partner").nth(1)
    partner_id = partner.get_attribute("data-partner-id")
    partner.get_by_role("button", name="関係なし").click()
    expect(partner.get_by_role("status")).to_have_text("記録しました: 関係なし")
    page.reload()
    assert partner_id not in partner_ids(page)
    expect(page.locator("[data-hidden]")).to_contain_text("1 社")
