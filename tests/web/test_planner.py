"""The planner page in a real browser: build a schedule, read it, download its files."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def build(page, ids: str = "jp-bank", slots: str = "3") -> None:
    """Open the planner, pick Sample Motors by name, add `ids`, and build the schedule."""
    page.goto("/planner")
    search = page.get_by_role("combobox", name="Add a firm by name")
    search.press_sequentially("Sample Mo", delay=20)
    page.get_by_role("option").filter(has_text="Sample Motors").click()
    ids_field = page.get_by_label("Firm ids")
    expect(ids_field).to_have_value("jp-auto")
    ids_field.fill(f"jp-auto\n{ids}")
    page.get_by_label("Slots").fill(slots)
    page.get_by_role("button", name="Build the schedule").click()


def test_planner_builds_a_schedule_with_a_grid_agendas_and_unplaced_pairs(page):
    build(page)
    expect(page.get_by_role("heading", name="The schedule")).to_be_visible()
    grid = page.locator('table[data-day-grid="0"]')
    expect(grid.locator("thead th")).to_have_count(4)  # the firm column and 3 slots
    expect(grid.locator("tbody tr")).to_have_count(2)
    placed = grid.locator('tr[data-firm="jp-auto"] td[data-partner-id]')
    assert placed.count() >= 1
    expect(page.locator('[data-agenda="jp-auto"]')).to_be_attached()
    expect(page.locator("#schedule-summary")).to_contain_text("meetings")


def test_planner_downloads_csv_and_xlsx(page):
    build(page)
    expect(page.get_by_role("heading", name="The schedule")).to_be_visible()
    shown = page.locator("td[data-partner-id]").count()
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV").click()
    text = csv_download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == shown and {r["japanese_id"] for r in rows} <= {"jp-auto", "jp-bank"}
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Download Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    cells = {c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row}
    assert "jp-auto" in cells or "Sample Motors" in cells


def test_planner_names_a_bad_pin_line_in_the_page_language(page):
    page.goto("/language/ja?next=/planner")
    page.get_by_label("企業 ID").fill("jp-auto")
    page.get_by_label("必ず行う面談").fill("jp-auto il-lidar\njp-auto")
    page.get_by_role("button", name="スケジュールを作成").click()
    expect(page.get_by_role("alert")).to_contain_text("2 行目")


def test_planner_shows_an_api_error_in_the_page_language(page):
    page.goto("/language/ja?next=/planner")
    page.expected_console_errors = ["422"]
    page.get_by_label("企業 ID").fill("jp-auto\nno-such-firm")
    page.get_by_role("button", name="スケジュールを作成").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert "{" not in alert.inner_text()  # never raw JSON


def test_briefing_pack_downloads_its_xlsx(page):
    page.goto("/briefing?ids=jp-auto,jp-bank&top_k=3")
    expect(page.locator("tr[data-partner-id]")).to_have_count(6)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel (XLSX)").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = {c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row}
    assert {"jp-auto", "jp-bank"} <= cells or {"Sample Motors", "Sample Bank"} <= cells
