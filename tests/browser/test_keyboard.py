"""Every main story with the keyboard alone (WCAG 2.1.1, 2.4.3, 4.1.3; EN 301 549 9.2.1.1):
Tab, Shift+Tab, Enter, Space and the arrow keys through ``page.keyboard``, no mouse. After each
action the test checks the outcome, that focus lands on the result (not on the page's body),
and that the result is announced: inside a live region that was on the page before the answer
came, or read out through the page's own one (#aankondiging).

Outlook's side (opening a mailbox, selecting an item, moving focus into the task pane, which
Outlook does with F6) is the harness standing in for Outlook: there the tests focus Outlook's
control and press Enter, and put focus on the pane's skip link.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.outlook import Outlook, plant, run_async
from tests.browser.test_approvals_pane import PHONE, prepared, received
from tests.browser.test_replan_pane import cleared_meeting
from tests.browser.test_resubmit_pane import rejected
from tests.dates import local, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder, mail_from_hans
from tests.server.test_calamity_api import find
from tests.server.test_calamity_windows import two_agendas
from tests.server.test_meetings_api import docx, mail, pdf

MAX_TABS = 150  # more Tab presses than this to reach a control is a finding in itself


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === el.ownerDocument.activeElement"))


def tab_to(page: Page, locator: Locator, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab) until ``locator`` has the focus."""
    key = "Shift+Tab" if back else "Tab"
    expect(locator).to_be_visible()
    for _ in range(MAX_TABS):
        if focused(locator):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{locator} was not reached with {key} in {MAX_TABS} presses")


def focus_is_in(locator: Locator) -> None:
    """Focus is on the result or inside it, never left on the page's body."""
    expect(locator).to_be_visible()
    handle = locator.element_handle()
    frame = handle.owner_frame()
    assert frame is not None
    frame.wait_for_function(
        "el => el.isConnected && el.contains(el.ownerDocument.activeElement)",
        arg=handle,
        timeout=5_000,
    )


def announced(where: FrameLocator | Page, result: Locator, text: str | re.Pattern[str]) -> None:
    """The outcome is read out: it sits in a live region that was there before it (aria-live on
    an ancestor), or the page's announcer says it."""
    in_live_region = result.evaluate(
        "el => Boolean(el.parentElement && el.parentElement.closest('[aria-live]'))"
    )
    if in_live_region:
        expect(result).to_contain_text(text)
    else:
        expect(where.locator("#aankondiging")).to_contain_text(text)


def press_on(page: Page, control: Locator, key: str = "Enter") -> None:
    """Outlook's side (the harness): its control gets the focus and the key."""
    control.focus()
    page.keyboard.press(key)


def select_item(
    outlook: Outlook, mailbox: str, text: str | re.Pattern[str], *, day: bool = False
) -> FrameLocator:
    page = outlook.page
    outlook.sign_in(SECRETARY_A)
    mailbox_button = page.locator("#postvakken button", has_text=mailbox)
    press_on(page, mailbox_button)
    expect(mailbox_button).to_have_attribute("aria-current", "true")
    outlook.loaded()
    if day:
        views = page.get_by_role("group", name="Weergave")
        press_on(page, views.get_by_role("button", name="Dag"))
        outlook.loaded()
    press_on(page, page.locator("#items button", has_text=text).first)
    pane = outlook.pane_loaded()
    pane.locator("a.skip").focus()  # Outlook's F6: into the task pane
    return pane


def open_tab(page: Page, pane: FrameLocator, view: str) -> None:
    """A tab of the pane by keyboard; one that did not fit on the line is behind "Meer"."""
    tab = pane.locator(f"nav a[data-view='{view}']:not([hidden])")
    expect(tab).to_have_count(1)  # shown (Beheer only once the role check has run), then laid out
    if pane.locator(f"nav .tab-menu a[data-view='{view}']").count():
        tab_to(page, pane.get_by_role("button", name="Meer"))
        page.keyboard.press("Enter")
    tab_to(page, tab)
    page.keyboard.press("Enter")


def settled(locator: Locator) -> None:
    """What the last key asked of the server has come back: nothing on the page is busy."""
    frame = locator.element_handle().owner_frame()
    assert frame is not None
    frame.wait_for_function("() => !document.querySelector('[aria-busy=true]')", timeout=10_000)


def choose_option(page: Page, select: Locator, label: str | re.Pattern[str]) -> None:
    """Arrow keys on a focused closed select until ``label`` is the chosen option; a select
    that asks the server on a change is redrawn after each key, focus staying on it."""
    tab_to(page, select)
    options = select.locator("option").all_inner_texts()
    index = next(i for i, o in enumerate(options) if re.search(label, o))
    for _ in range(len(options)):
        now = select.evaluate("s => s.selectedIndex")
        if now == index:
            return
        page.keyboard.press("ArrowDown" if now < index else "ArrowUp")
        settled(select)
        expect(select).to_be_focused()
    raise AssertionError(f"{label} not chosen")


# What she types into a datetime-local field, segment by segment, in the order the browser's
# locale gives them (known by the first segment); after the year (up to six digits) ArrowRight.
SEGMENTS = {
    "day": ("%d", "%m", "%Y", "%H", "%M"),  # Dutch: dd-mm-jjjj uu:mm
    "month": ("%m", "%d", "%Y", "%I", "%M", "%p"),  # English (this Chromium's): mm/dd/yyyy hh:mm AM
}


def type_datetime(page: Page, field: Locator, when: dt.datetime) -> None:
    """Type a date and time into a focused datetime-local field, as she would: an arrow key
    (and back) shows which part its first segment holds, then the digits go in in that order."""
    expect(field).to_be_focused()
    before = field.input_value()

    def probe(key: str, back: str) -> str:
        page.keyboard.press(key)
        after = field.input_value()  # empty for a day that month does not have (31 April)
        page.keyboard.press(back)
        expect(field).to_have_value(before)
        return after

    after = probe("ArrowUp", "ArrowDown") or probe("ArrowDown", "ArrowUp")
    # Which part moved: a day always has a valid neighbour (30 or 2), a month may have none
    # (31 March), so a field that stays empty either way starts with the month.
    parts = {"year": slice(0, 4), "month": slice(5, 7), "day": slice(8, 10), "time": slice(11, 16)}
    moved = [name for name, at in parts.items() if after[at] != before[at]] if after else ["month"]
    assert moved in (["day"], ["month"]), f"segments in an order not known here: {before} → {after}"
    first = moved[0]
    for part in SEGMENTS[first]:
        page.keyboard.type(when.strftime(part)[0] if part == "%p" else when.strftime(part))
        if part == "%Y":
            page.keyboard.press("ArrowRight")
    expect(field).to_have_value(when.strftime("%Y-%m-%dT%H:%M"))


def test_a_quick_step_is_previewed_applied_and_undone_by_keyboard(
    outlook: Outlook, tenant: Tenant
) -> None:
    plant(tenant, BURGEMEESTER, {"subject": "Toetsenbord: afvalpas"}, as_user=SECRETARY_A)
    pane = select_item(outlook, "Ingrid Zwanenburg", "Toetsenbord: afvalpas")
    page = outlook.page
    steps = pane.get_by_role("region", name="Snelle stappen")

    tab_to(page, steps.get_by_role("button", name=re.compile("Ter afhandeling backoffice")))
    page.keyboard.press("Enter")
    preview = pane.get_by_role("region", name=re.compile("dit gaat er gebeuren"))
    expect(preview.get_by_role("button", name="Toepassen")).to_be_focused()

    page.keyboard.press("Space")
    heading = pane.get_by_role("heading", name="Ter afhandeling backoffice: klaar")
    expect(heading).to_be_focused()
    result = pane.get_by_role("status").filter(has=heading)
    expect(result.locator("li .badge")).to_have_text(["gedaan"] * 4)
    announced(pane, result, "Ter afhandeling backoffice: klaar")

    tab_to(page, result.get_by_role("button", name="Ongedaan maken"))
    page.keyboard.press("Enter")
    undone = pane.get_by_role("heading", name="Teruggezet")
    expect(undone).to_be_focused()
    announced(pane, pane.get_by_role("status").filter(has=undone), "Teruggezet")


def test_a_draft_is_prepared_and_offered_for_approval_by_keyboard(
    outlook: Outlook, tenant: Tenant
) -> None:
    _, subject = run_async(mail_from_hans(tenant, "Toetsenbord: parkeren"))
    pane = select_item(outlook, "Ingrid Zwanenburg", subject)
    page = outlook.page
    answers = pane.get_by_role("region", name="Antwoord voorbereiden")

    choose_option(page, answers.get_by_label("Sjabloon"), "Ontvangstbevestiging")
    tab_to(page, answers.get_by_role("button", name="Concept opstellen"))
    page.keyboard.press("Enter")
    editor = pane.get_by_role("textbox", name="Tekst van het antwoord")
    expect(editor).to_be_focused()
    expect(editor).to_contain_text("Beste Hans")
    page.keyboard.press("Control+End")
    page.keyboard.type(" Wij bellen u morgen.")

    tab_to(page, pane.get_by_label(re.compile("Notitie voor Ingrid")))
    page.keyboard.type("Kan dit zo weg?")
    tab_to(page, pane.get_by_role("button", name="Klaarzetten ter goedkeuring"))
    page.keyboard.press("Enter")
    heading = pane.get_by_role("heading", name="Ter goedkeuring aangeboden")
    expect(heading).to_be_focused()
    announced(pane, pane.get_by_test_id("concept-uitkomst"), "Ter goedkeuring aangeboden")
    [draft] = run_async(in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}"))
    assert "Wij bellen u morgen." in draft["body"]["content"]
    assert draft["categories"] == ["Ter goedkeuring"]


def test_a_meeting_folder_is_chosen_and_filled_by_keyboard(
    outlook: Outlook, tenant: Tenant
) -> None:
    subject = "Toetsenbord: raadsvoorstel voor het college"
    files = [("Raadsvoorstel Haven.pdf", pdf(20 * 1024)), ("Bijlage Haven.docx", docx(10 * 1024))]
    run_async(mail(tenant, files, subject=subject))
    pane = select_item(outlook, "Ingrid Zwanenburg", subject)
    page = outlook.page

    tab_to(page, pane.get_by_role("button", name="Naar vergadermap…"))
    page.keyboard.press("Enter")
    meeting = pane.get_by_label("Vergadering")
    expect(meeting).to_be_focused()
    expect(meeting.locator("option:checked")).to_contain_text("College van B&W")  # proposed
    # She chooses another meeting with the arrow keys: the form follows, focus stays on it.
    options = meeting.locator("option").all_inner_texts()
    other = options[1]
    assert other != "Nieuwe vergadering…", options
    choose_option(page, meeting, f"^{re.escape(other)}$")
    expect(pane.get_by_test_id("voorstel")).to_contain_text("Zelf gekozen.")
    expect(meeting).to_be_focused()
    place = pane.get_by_test_id("plaatsen")
    expect(place).to_contain_text(other.removesuffix(" (uit de agenda)"))

    tab_to(page, pane.get_by_label("Nieuw agendapunt (titel)"))
    page.keyboard.type("Havenvisie")
    expect(place).to_contain_text("nieuw agendapunt „Havenvisie”")
    appendix = pane.get_by_role("checkbox", name="Bijlage Haven.docx")
    tab_to(page, appendix)
    page.keyboard.press("Space")
    expect(appendix).not_to_be_checked()
    tab_to(page, place)
    page.keyboard.press("Enter")

    outcome = pane.get_by_test_id("vergadermap-uitkomst")
    expect(outcome).to_contain_text("-Havenvisie-Raadsvoorstel Haven.pdf")
    expect(outcome).not_to_contain_text("Bijlage Haven.docx")
    expect(outcome.get_by_role("heading", name="In de vergadermap")).to_be_focused()
    announced(pane, outcome, "In de vergadermap")

    tab_to(page, outcome.get_by_role("button", name="Overzicht van de vergadering"))
    page.keyboard.press("Enter")
    overview = pane.get_by_test_id("vergadermap-overzicht")
    expect(overview.get_by_test_id("agendapunt").filter(has_text="Havenvisie")).to_be_visible()
    focus_is_in(overview)
    tab_to(page, overview.get_by_role("link", name="Download als ZIP"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".zip")


def test_a_work_queue_item_is_taken_by_keyboard(outlook: Outlook, tenant: Tenant) -> None:
    approval = prepared(tenant, outlook.base_url, "Toetsenbord: werkvoorraad")
    pane = select_item(outlook, "Ingrid Zwanenburg", re.compile("."))
    page = outlook.page

    open_tab(page, pane, "werkvoorraad")
    expect(pane.get_by_test_id("team")).to_be_visible()
    expect(pane.locator("main")).to_be_focused()
    row = pane.get_by_test_id("werk").filter(has_text=approval["exact"])
    tab_to(page, row.get_by_role("button", name="Ik pak dit op"))
    page.keyboard.press("Enter")

    row = pane.get_by_test_id("werk").filter(has_text=approval["exact"])
    expect(row.get_by_test_id("claim")).to_contain_text("U bent hiermee bezig")
    focus_is_in(row)  # her place in the list, not the top of the pane
    tab_to(page, row.get_by_role("button", name="Vrijgeven"))
    page.keyboard.press("Enter")
    row = pane.get_by_test_id("werk").filter(has_text=approval["exact"])
    expect(row.get_by_role("button", name="Ik pak dit op")).to_be_visible()
    focus_is_in(row)


def test_the_executive_approves_on_her_phone_by_keyboard(
    page: Page, backend_url: str, tenant: Tenant
) -> None:
    approval = prepared(tenant, backend_url, "Toetsenbord: telefoon")
    page.set_viewport_size(PHONE)
    page.goto(f"{backend_url}/goedkeuren/{approval['id']}")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()  # the tenant's page
    press_on(page, page.get_by_role("button", name=re.compile("Ingrid Zwanenburg")))
    expect(page.locator("main")).to_have_attribute("aria-busy", "false", timeout=15_000)
    expect(page.get_by_test_id("concept-onderwerp")).to_have_text(f"RE: {approval['exact']}")

    tab_to(page, page.get_by_role("button", name="Goedkeuren en verzenden"))
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Goedgekeurd en verzonden")
    expect(heading).to_be_focused()
    announced(page, page.get_by_test_id("besluit"), "Goedgekeurd en verzonden")
    [answer] = received(tenant, approval["exact"])
    assert "Hartelijk dank voor uw bericht" in answer["body"]["content"]

    tab_to(page, page.get_by_role("button", name="Terug naar de lijst"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("afgehandeld").first).to_contain_text("Goedgekeurd en verzonden")
    focus_is_in(page.locator("main"))
    expect(page.locator("main :focus")).to_have_count(1)


def test_the_executive_rejects_with_a_comment_by_keyboard(
    page: Page, backend_url: str, tenant: Tenant
) -> None:
    approval = prepared(tenant, backend_url, "Toetsenbord: afwijzen")
    page.set_viewport_size(PHONE)
    page.goto(f"{backend_url}/goedkeuren/{approval['id']}")
    press_on(page, page.get_by_role("button", name=re.compile("Ingrid Zwanenburg")))
    expect(page.locator("main")).to_have_attribute("aria-busy", "false", timeout=15_000)

    tab_to(page, page.get_by_text("Afwijzen…"))
    page.keyboard.press("Enter")  # opens the details
    tab_to(page, page.get_by_label("Toelichting voor het secretariaat"))
    page.keyboard.type("Vriendelijker, graag.")
    tab_to(page, page.get_by_role("button", name="Afwijzen", exact=True))
    page.keyboard.press("Space")
    heading = page.get_by_role("heading", name="Afgekeurd")
    expect(heading).to_be_focused()
    announced(page, page.get_by_test_id("besluit"), "Afgekeurd")
    assert received(tenant, approval["exact"]) == []


def test_a_calamity_clear_is_previewed_and_run_by_keyboard(
    outlook: Outlook, tenant: Tenant, backend_day: Callable[..., None]
) -> None:
    backend_day(seed_day("tue"), 8)  # the seed's Tuesday at 08:00: its whole day still to come
    pane = select_item(outlook, "Ingrid Zwanenburg", re.compile("."), day=True)
    page = outlook.page

    period = pane.get_by_role("group", name="Periode")
    tab_to(page, period.get_by_role("button", name="Vandaag en morgen"))
    page.keyboard.press("Enter")
    heading = pane.get_by_role("heading", name=re.compile("gaan eruit|gaat eruit"))
    expect(heading).to_be_focused()
    expect(pane.get_by_test_id("leegmaken-item").first).to_be_visible()

    # A tick off by keyboard: the preview is asked again and focus stays on the tick.
    persmoment = pane.get_by_test_id("leegmaken-item").filter(has_text="Persmoment")
    tick = persmoment.first.get_by_role("checkbox")
    tab_to(page, tick)
    page.keyboard.press("Space")
    expect(
        pane.get_by_test_id("leegmaken-item").filter(has_text="Persmoment").first
    ).to_contain_text("op verzoek laten staan")
    expect(
        pane.get_by_test_id("leegmaken-item")
        .filter(has_text="Persmoment")
        .first.get_by_role("checkbox")
    ).to_be_focused()

    tab_to(page, pane.get_by_role("button", name=re.compile(r"\d+ afspraken leegmaken")))
    page.keyboard.press("Enter")
    report = pane.get_by_test_id("verslag")
    expect(report).to_contain_text("Agenda leeggemaakt", timeout=20_000)
    expect(report.get_by_role("heading", name="Agenda leeggemaakt")).to_be_focused()
    announced(pane, report, "Agenda leeggemaakt")


def test_her_own_period_is_cleared_in_both_agendas_by_keyboard(
    outlook: Outlook, tenant: Tenant, backend_day: Callable[..., None]
) -> None:
    friday = seed_day("fri")
    backend_day(seed_day("tue"), 8)
    run_async(two_agendas(tenant, friday.isoformat(), "Toetsenbord"))
    pane = select_item(outlook, "Ingrid Zwanenburg", re.compile("."), day=True)
    page = outlook.page

    also = pane.get_by_label("Ook de agenda van Maarten Oosterveld")
    tab_to(page, also)
    page.keyboard.press("Space")
    expect(also).to_be_checked()
    start = pane.get_by_label("Van", exact=True)
    tab_to(page, start)
    type_datetime(page, start, dt.datetime.combine(friday, dt.time(8)))
    end = pane.get_by_label("Tot", exact=True)
    tab_to(page, end)
    type_datetime(page, end, dt.datetime.combine(friday, dt.time(18)))
    tab_to(page, pane.get_by_role("button", name="Bekijk deze periode"))
    page.keyboard.press("Enter")

    heading = pane.get_by_role("heading", name=re.compile("^Eigen periode: .* eruit$"))
    expect(heading).to_be_focused()
    announced(pane, heading, "eruit")
    agendas = pane.get_by_test_id("leegmaken-agenda")
    expect(agendas).to_have_count(2)
    expect(agendas.nth(1)).to_contain_text("Toetsenbord werkbezoek")

    tab_to(page, pane.get_by_role("button", name=re.compile(r"\d+ afspraken leegmaken")))
    page.keyboard.press("Enter")
    report = pane.get_by_test_id("verslag")
    expect(report).to_contain_text("Agenda's leeggemaakt", timeout=20_000)
    expect(report.get_by_role("heading", name="Agenda's leeggemaakt")).to_be_focused()
    announced(pane, report, "Agenda's leeggemaakt")
    items = report.get_by_test_id("verslag-item")
    expect(items.filter(has_text="Toetsenbord overleg")).to_contain_text("geannuleerd")
    expect(items.filter(has_text="Toetsenbord werkbezoek")).to_contain_text("afgemeld")


def test_a_cleared_meeting_is_planned_again_by_keyboard(
    outlook: Outlook, tenant: Tenant, backend_url: str
) -> None:
    day = seed_day("wed", week=1)
    subject = "Toetsenbord: overleg over de havenvisie"
    cleared_meeting(tenant, backend_url, day, subject)
    pane = select_item(outlook, "Ingrid Zwanenburg", re.compile("."), day=True)
    page = outlook.page

    tab_to(page, pane.get_by_role("button", name="Herplannen", exact=True))
    page.keyboard.press("Enter")
    expect(pane.get_by_role("heading", name=re.compile("^Herplannen"))).to_be_focused()
    entry = pane.get_by_test_id("herplan-item").filter(has_text=subject)
    tab_to(page, entry.get_by_role("button", name="Momenten voorstellen"))
    page.keyboard.press("Enter")
    proposals = entry.get_by_test_id("voorstellen")
    expect(proposals.get_by_role("button").first).to_be_visible()
    # Focus on what came back, the moments with the line above them (so Tab goes on to the
    # first), in a live region that reads them out.
    expect(entry.locator(":focus")).to_contain_text("Kies een moment")
    announced(pane, proposals, re.compile(r"\d"))

    tab_to(page, proposals.get_by_role("button").first)
    page.keyboard.press("Enter")
    invitation = entry.get_by_test_id("uitnodiging")
    expect(invitation.get_by_role("heading", name="Uitnodiging controleren")).to_be_focused()
    announced(pane, invitation, "Uitnodiging controleren")
    text = invitation.get_by_label("Tekst van de uitnodiging")
    tab_to(page, text)
    page.keyboard.press("Control+End")
    page.keyboard.type(" Excuses voor het ongemak.")
    expect(text).to_have_value(re.compile("Excuses voor het ongemak.$"))

    tab_to(page, invitation.get_by_role("button", name="Uitnodiging versturen"))
    page.keyboard.press("Enter")
    outcome = entry.get_by_test_id("herplan-uitkomst")
    expect(outcome).to_contain_text("Opnieuw gepland op")
    expect(outcome).to_be_focused()
    announced(pane, outcome, "Opnieuw gepland op")
    window = (local(day).isoformat(), local(day + dt.timedelta(weeks=7)).isoformat())
    [made] = run_async(find(tenant, BURGEMEESTER, subject, *window))
    assert {a["emailAddress"]["name"] for a in made["attendees"]} >= {"Bas Kuipers"}


def test_a_rejected_draft_is_revised_and_offered_again_by_keyboard(
    outlook: Outlook, tenant: Tenant
) -> None:
    approval = rejected(tenant, outlook.base_url, "Toetsenbord: herzien")
    subject = approval["exact"]
    pane = select_item(outlook, "Ingrid Zwanenburg", subject)
    page = outlook.page

    open_tab(page, pane, "goedkeuren")
    done = pane.get_by_test_id("afgehandeld").filter(has_text=subject)
    expect(done).to_contain_text("Afgekeurd")
    tab_to(page, done.get_by_role("button", name="Herzien…"))
    page.keyboard.press("Enter")
    expect(pane.get_by_test_id("concept-onderwerp")).to_be_focused()

    revise = pane.get_by_role("region", name="Herzien en opnieuw aanbieden")
    tab_to(page, revise.get_by_role("button", name="Bewerken"))
    page.keyboard.press("Enter")
    text = revise.get_by_test_id("concept")
    expect(text).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Het gesprek is op 3 december.")
    tab_to(page, revise.get_by_label("Notitie voor Ingrid Zwanenburg"))
    page.keyboard.type("Datum toegevoegd.")
    tab_to(page, revise.get_by_role("button", name="Bewerkt opnieuw aanbieden"))
    page.keyboard.press("Enter")

    outcome = pane.get_by_test_id("besluit")
    expect(outcome).to_contain_text("staat ter goedkeuring bij Ingrid Zwanenburg")
    heading = outcome.get_by_role("heading")
    expect(heading).to_be_focused()
    announced(pane, outcome, heading.inner_text())
    [draft] = run_async(in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}"))
    assert "Het gesprek is op 3 december." in draft["body"]["content"]

    tab_to(page, outcome.get_by_role("button", name="Terug naar de lijst"))
    page.keyboard.press("Enter")
    waiting = pane.get_by_test_id("goedkeuring").filter(has_text=subject)
    expect(waiting).to_contain_text("herziene versie")
    listed = pane.get_by_role("heading", name=re.compile("^Concepten ter goedkeuring"))
    expect(listed).to_be_focused()


def test_a_quick_step_is_undone_from_laatste_acties_by_keyboard(
    outlook: Outlook, tenant: Tenant
) -> None:
    moved, other = "Toetsenbord: laatste acties", "Toetsenbord: een ander bericht"
    plant(tenant, BURGEMEESTER, {"subject": other}, as_user=SECRETARY_A)
    plant(tenant, BURGEMEESTER, {"subject": moved}, as_user=SECRETARY_A)
    pane = select_item(outlook, "Ingrid Zwanenburg", moved)
    page = outlook.page

    steps = pane.get_by_role("region", name="Snelle stappen")
    tab_to(page, steps.get_by_role("button", name=re.compile("Afgehandeld")))
    page.keyboard.press("Enter")
    expect(pane.get_by_role("button", name="Toepassen")).to_be_focused()
    page.keyboard.press("Space")
    expect(pane.get_by_role("heading", name="Afgehandeld: klaar")).to_be_focused()

    # Outlook selects another message; F6 brings her back into the pane.
    outlook.loaded()
    press_on(page, page.locator("#items button", has_text=other).first)
    expect(pane.get_by_test_id("onderwerp")).to_have_text(other)
    pane.locator("a.skip").focus()
    recent = pane.get_by_role("region", name="Laatste acties")
    line = recent.get_by_test_id("laatste-actie").filter(has_text=moved)
    tab_to(page, line.get_by_role("button", name=re.compile("^Ongedaan maken")))
    page.keyboard.press("Enter")

    outcome = recent.get_by_test_id("laatste-acties-uitkomst")
    expect(outcome).to_contain_text("Teruggezet")
    expect(outcome).to_be_focused()
    announced(pane, outcome, "Teruggezet")
    step = line.filter(has_text="Snelle stap ‘Afgehandeld’")
    expect(step).to_contain_text("ongedaan gemaakt door mij")
    expect(step.get_by_role("button")).to_have_count(0)
