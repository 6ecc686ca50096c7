"""A secretary works in Outlook (the harness) and the Secretariaat pane opens beside her mail."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.outlook import Outlook, inbox, open_tab, plant
from tests.dates import TODAY, dutch_day, working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A, SECRETARY_B

HOSTILE_SUBJECT = '<script>window.__pwned=1</script>Begroting "><img src=x onerror=alert(1)>'
HOSTILE_NAME = "Jan \u202egnissapmoh\u202c <img src=y onerror=alert(3)>"
HOSTILE_BODY = 'Zie bijlage.\n<script>window.__pwned=2</script>\n"><img src=x onerror=alert(2)>'


def test_a_secretary_opens_her_executives_mailbox_and_the_pane_knows_where_it_is(
    outlook: Outlook, tenant: Tenant
) -> None:
    newest = inbox(tenant, BURGEMEESTER)[0]
    outlook.sign_in(SECRETARY_A)
    assert outlook.mailboxes == ["Mijn postvak", "Ingrid Zwanenburg", "Maarten Oosterveld"]

    outlook.open_mailbox("Ingrid Zwanenburg").select(newest["subject"])
    pane = outlook.pane_loaded()

    expect(pane.get_by_test_id("postvak")).to_have_text("Ingrid Zwanenburg")
    expect(pane.locator(".context")).to_contain_text("als gemachtigde")
    expect(pane.get_by_test_id("gebruiker")).to_have_text("Monique Verschuren")
    expect(pane.get_by_test_id("onderwerp")).to_have_text(newest["subject"])
    expect(pane.locator("#context")).to_contain_text(f"in het postvak van {BURGEMEESTER}")
    # The token came through MSAL.js's nested app authentication, as in Outlook.
    asked = outlook.bridge_requests()
    assert asked.get("GetInitContext") == 1 and asked.get("GetToken", 0) >= 1


def test_a_secretary_of_another_team_gets_the_clear_refusal(outlook: Outlook) -> None:
    outlook.sign_in(SECRETARY_B)
    assert "Ingrid Zwanenburg" not in outlook.mailboxes

    outlook.open_other_mailbox(BURGEMEESTER)

    alert = outlook.page.get_by_role("alert")
    expect(alert).to_contain_text("Geen toegang tot dit postvak")
    expect(alert).to_contain_text("Karin Molenaar werkt niet voor Ingrid Zwanenburg")
    expect(outlook.page.locator("#items button")).to_have_count(0)


def test_the_pinned_pane_follows_the_selection_without_reloading(
    outlook: Outlook, tenant: Tenant
) -> None:
    first, second = inbox(tenant, BURGEMEESTER)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(first["subject"])
    expect(outlook.pane_loaded().get_by_test_id("onderwerp")).to_have_text(first["subject"])
    outlook.pane_frame().evaluate("window.__sameDocument = true")

    outlook.select(second["subject"])

    expect(outlook.pane.get_by_test_id("onderwerp")).to_have_text(second["subject"])
    assert outlook.pane_frame().evaluate("window.__sameDocument") is True


def test_an_appointment_opens_the_agenda_pane_with_its_day(
    outlook: Outlook, backend_day: Callable[..., None]
) -> None:
    backend_day(working_day(TODAY))  # a day with appointments in her calendar
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").show("Dag")
    first = outlook.page.locator("#items button").first
    subject = first.locator(".onderwerp").inner_text()

    first.click()
    pane = outlook.pane_loaded()

    expect(pane.get_by_test_id("onderwerp")).to_have_text(subject)
    expect(pane.locator("nav a[aria-current='page']")).to_have_text("Agenda")
    expect(pane.get_by_test_id("dag").locator("li")).to_have_count(
        outlook.page.locator("#items button").count()
    )


def test_the_pane_is_keyboard_operable(outlook: Outlook, tenant: Tenant) -> None:
    newest = inbox(tenant, BURGEMEESTER)[0]
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(newest["subject"])
    pane = outlook.pane_loaded()

    pane.locator("a.skip").focus()
    outlook.page.keyboard.press("Tab")
    expect(pane.locator("nav a[data-view='bericht']")).to_be_focused()
    outlook.page.keyboard.press("Tab")
    outlook.page.keyboard.press("Enter")

    expect(pane.locator("nav a[aria-current='page']")).to_have_text("Agenda")
    expect(pane.locator("#dag-titel")).to_have_text(f"{dutch_day(TODAY)} {TODAY.year}")
    expect(pane.locator("main")).to_be_focused()


def test_only_an_admin_gets_the_beheer_tab(outlook: Outlook, tenant: Tenant) -> None:
    plant(tenant, ADMIN, {"subject": "Rooster volgende week"}, as_user=ADMIN)
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak").select("Rooster volgende week")
    pane = outlook.pane_loaded()
    open_tab(pane, "beheer")  # on the line, or behind "Meer" when it does not fit
    expect(pane.locator("#rooster-titel")).to_have_text("Rooster van vandaag")

    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(re.compile("."))
    nav = outlook.pane_loaded().locator("nav")
    expect(nav).to_have_attribute("data-rol", "secretary")  # the role check has run
    expect(nav.locator("a[data-view='beheer']")).to_be_hidden()


def test_hostile_mail_is_shown_as_text_in_the_list_and_the_pane(
    outlook: Outlook, tenant: Tenant
) -> None:
    hostile = {
        "subject": HOSTILE_SUBJECT,
        "from": {"emailAddress": {"name": HOSTILE_NAME, "address": "x@evil.test"}},
        "body": {"contentType": "text", "content": HOSTILE_BODY},
    }
    plant(tenant, BURGEMEESTER, hostile, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    row = outlook.page.locator("#items button", has_text="Begroting")
    expect(row).to_contain_text(HOSTILE_SUBJECT)
    expect(row).to_contain_text(HOSTILE_NAME)

    row.click()
    pane = outlook.pane_loaded()

    expect(pane.get_by_test_id("onderwerp")).to_have_text(HOSTILE_SUBJECT)
    # The pane drops the right-to-left override and its pop: the name reads as it was sent.
    shown = HOSTILE_NAME.replace("\u202e", "").replace("\u202c", "")
    expect(pane.get_by_test_id("afzender")).to_contain_text(shown)
    expect(pane.get_by_test_id("tekst")).to_have_text(HOSTILE_BODY.strip())
    for where in (outlook.page, outlook.pane_frame()):
        assert where.evaluate("window.__pwned") is None
        assert where.locator("img[src='x'], img[src='y'], main script").count() == 0
    # The page fixture fails the test if any alert() opened.


def test_without_nested_app_auth_the_pane_signs_in_through_the_office_dialog(
    outlook: Outlook, tenant: Tenant
) -> None:
    """The documented fallback: MSAL.js in an Office dialog, auth code + PKCE at the tenant."""
    newest = inbox(tenant, BURGEMEESTER)[0]
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.page.get_by_label("Nested App Authentication").uncheck()

    with outlook.page.expect_popup() as opened:
        outlook.select(newest["subject"])
    dialog = opened.value
    expect(dialog.get_by_role("heading", name="Aanmelden")).to_be_visible()  # the tenant's page
    dialog.get_by_role("button", name=re.compile("Monique Verschuren")).click()

    pane = outlook.pane_loaded()
    expect(pane.get_by_test_id("onderwerp")).to_have_text(newest["subject"])
    expect(pane.get_by_test_id("gebruiker")).to_have_text("Monique Verschuren")
    if not dialog.is_closed():  # the pane closes it once the token arrived
        dialog.wait_for_event("close")
    assert outlook.bridge_requests() == {}  # no nested app auth was used


def test_after_an_appointment_the_next_message_opens_in_bericht_again(
    outlook: Outlook, tenant: Tenant, backend_day: Callable[..., None]
) -> None:
    backend_day(working_day(TODAY))  # a day with appointments in her calendar
    newest = inbox(tenant, BURGEMEESTER)[0]
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(newest["subject"])
    current_tab = outlook.pane_loaded().locator("nav a[aria-current='page']")
    expect(current_tab).to_have_text("Bericht")
    outlook.show("Dag")
    outlook.page.locator("#items button").first.click()
    expect(current_tab).to_have_text("Agenda")  # an appointment shows in Agenda

    outlook.show("Postvak IN").select(newest["subject"])

    expect(current_tab).to_have_text("Bericht")  # the secretary's own choice is kept
    expect(outlook.pane.get_by_test_id("onderwerp")).to_have_text(newest["subject"])


def test_quick_successive_selections_end_on_the_last_one(outlook: Outlook, tenant: Tenant) -> None:
    messages = inbox(tenant, BURGEMEESTER, top=4)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(messages[0]["subject"])
    outlook.pane_loaded()
    for message in messages[1:]:
        outlook.select(message["subject"])  # no waiting in between

    expect(outlook.pane.get_by_test_id("onderwerp")).to_have_text(messages[-1]["subject"])
    expect(outlook.pane.locator("main")).to_have_attribute("aria-busy", "false")


def test_switching_mailbox_tells_the_pinned_pane_nothing_is_selected(outlook: Outlook) -> None:
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(re.compile("."))
    outlook.pane_loaded()

    outlook.open_mailbox("Maarten Oosterveld")

    nav = outlook.pane.locator("nav")  # nothing selected: what needs no item (Werkvoorraad)
    expect(nav.locator("a[aria-current='page']")).to_have_text("Werkvoorraad")
    expect(nav.locator("a[data-view='bericht']")).to_be_hidden()
    expect(outlook.pane.locator("#context")).to_contain_text("Monique Verschuren")
