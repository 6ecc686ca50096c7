"""Two secretaries and one work queue: one picks an item up, the other sees who and since
when, is asked before taking it over, and "neem over" makes her front office for today."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Browser, expect

from automations.clock import SetClock
from automations.dates import AMSTERDAM
from server.operator import run_job_as_app
from server.settings import Settings
from tests.browser.outlook import Outlook, open_tab, plant, run_async
from tests.conftest import TODAY
from tests.dates import dutch_day, front_office_day, next_weekday, next_working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder, mail_from_hans
from tests.server.test_jobs import her_event

COLLEAGUE = "ellen.dijkhuis@zeeveen.nl"  # the burgemeester's other secretary
# Days on which Monique is Ingrid's front office: one for "neem over", and another for the
# absence, so that the take-over (kept in the module's store) does not decide who is in front.
MONIQUE_DAY = front_office_day(BURGEMEESTER, SECRETARY_A)
ABSENCE_DAY = front_office_day(BURGEMEESTER, SECRETARY_A, after=MONIQUE_DAY + dt.timedelta(days=1))


def in_front(name: str) -> re.Pattern[str]:
    """The team table's front-office cell: today's name first ("(morgen ...)" may follow)."""
    return re.compile(rf"^\s*{name}")


def waiting_draft(tenant: Tenant, base: str, subject: str, mailbox: str = BURGEMEESTER) -> str:
    async def go() -> str:
        message_id, exact = await mail_from_hans(tenant, subject, mailbox=mailbox)
        headers = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
        async with httpx.AsyncClient(base_url=base, verify=tenant.tls) as api:
            body = {"mailbox": mailbox, "message": message_id,
                    "template": "Ontvangstbevestiging", "operation_id": str(uuid.uuid4()),
                    "request_approval": True}  # fmt: skip
            (await api.post("/api/v1/drafts", json=body, headers=headers)).raise_for_status()
        return exact

    return run_async(go())


def werkvoorraad(outlook: Outlook, who: str) -> object:
    outlook.sign_in(who).open_mailbox("Ingrid Zwanenburg")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    open_tab(pane, "werkvoorraad")
    expect(pane.get_by_test_id("team")).to_be_visible()
    return pane


def test_one_picks_it_up_the_other_sees_it_and_is_asked_before_taking_over(
    outlook: Outlook,
    browser: Browser,
    backend_url: str,
    tenant: Tenant,
    backend_day: Callable[..., None],
) -> None:
    backend_day(MONIQUE_DAY)  # Monique at the front: Ellen may take over
    subject = waiting_draft(tenant, backend_url, "Wie doet dit")
    mine = werkvoorraad(outlook, SECRETARY_A)
    item = mine.get_by_test_id("werk").filter(has_text=subject)
    item.get_by_role("button", name="Ik pak dit op").click()
    expect(
        mine.get_by_test_id("werk").filter(has_text=subject).get_by_test_id("claim")
    ).to_have_text(re.compile("U bent hiermee bezig"))

    other_context = browser.new_context(ignore_https_errors=True, locale="nl-NL",
                                        viewport={"width": 1400, "height": 900})  # fmt: skip
    try:
        theirs = werkvoorraad(Outlook(other_context.new_page(), backend_url), COLLEAGUE)
        row = theirs.get_by_test_id("werk").filter(has_text=subject)
        expect(row.get_by_test_id("claim")).to_have_text(
            re.compile(r"Monique Verschuren is hiermee bezig \(sinds \d\d:\d\d\)")
        )
        expect(row.get_by_role("button", name="Ik pak dit op")).to_have_count(0)

        theirs.get_by_test_id("team-rij").filter(has_text="Ingrid Zwanenburg").get_by_role(
            "button", name="Neem over"
        ).click()
        expect(theirs.get_by_test_id("melding")).to_contain_text(
            "U bent vandaag de frontoffice van Ingrid Zwanenburg"
        )
        expect(
            theirs.get_by_test_id("team-rij").filter(has_text="Ingrid Zwanenburg")
        ).to_contain_text("Ellen Dijkhuis")
    finally:
        other_context.close()

    mine.get_by_test_id("werk").filter(has_text=subject).get_by_role(
        "button", name="Vrijgeven"
    ).click()
    expect(
        mine.get_by_test_id("werk")
        .filter(has_text=subject)
        .get_by_role("button", name="Ik pak dit op")
    ).to_be_visible()


def test_a_claim_reaches_a_colleagues_open_pane_without_reloading(
    outlook: Outlook, browser: Browser, backend_url: str, tenant: Tenant
) -> None:
    subject = waiting_draft(tenant, backend_url, "Live bijgewerkt")
    other_context = browser.new_context(ignore_https_errors=True, locale="nl-NL",
                                        viewport={"width": 1400, "height": 900})  # fmt: skip
    try:
        theirs = werkvoorraad(Outlook(other_context.new_page(), backend_url), COLLEAGUE)
        row = theirs.get_by_test_id("werk").filter(has_text=subject)
        expect(row.get_by_role("button", name="Ik pak dit op")).to_be_visible()

        mine = werkvoorraad(outlook, SECRETARY_A)
        mine.get_by_test_id("werk").filter(has_text=subject).get_by_role(
            "button", name="Ik pak dit op"
        ).click()
        expect(
            theirs.get_by_test_id("werk").filter(has_text=subject).get_by_test_id("claim")
        ).to_have_text(re.compile("Monique Verschuren is hiermee bezig"), timeout=10_000)
        mine.get_by_test_id("werk").filter(has_text=subject).get_by_role(
            "button", name="Vrijgeven"
        ).click()
        expect(
            theirs.get_by_test_id("werk")
            .filter(has_text=subject)
            .get_by_role("button", name="Ik pak dit op")
        ).to_be_visible(timeout=10_000)
    finally:
        other_context.close()


def test_two_secretaries_on_one_mail_the_second_is_asked_before_a_quick_step(
    outlook: Outlook, browser: Browser, backend_url: str, tenant: Tenant
) -> None:
    subject = "Verzoek om een gesprek over de kermis"
    plant(tenant, BURGEMEESTER, {"subject": subject}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(subject)
    mine = outlook.pane_loaded()
    expect(mine.get_by_test_id("bezig")).to_be_visible()

    other_context = browser.new_context(ignore_https_errors=True, locale="nl-NL",
                                        viewport={"width": 1400, "height": 900})  # fmt: skip
    try:
        other = Outlook(other_context.new_page(), backend_url)
        other.sign_in(COLLEAGUE).open_mailbox("Ingrid Zwanenburg").select(subject)
        theirs = other.pane_loaded()
        expect(
            theirs.get_by_test_id("bezig").get_by_role("button", name="Ik pak dit op")
        ).to_be_visible()

        mine.get_by_test_id("bezig").get_by_role("button", name="Ik pak dit op").click()
        expect(mine.get_by_test_id("bezig")).to_contain_text("U bent hiermee bezig")
        expect(theirs.get_by_test_id("bezig")).to_contain_text(
            re.compile(r"Monique Verschuren is hiermee bezig \(sinds \d\d:\d\d\)"), timeout=10_000
        )  # live, without reloading her pane

        steps = theirs.get_by_role("region", name="Snelle stappen")
        steps.get_by_role("button", name=re.compile("Afgehandeld")).click()
        preview = theirs.get_by_role("region", name=re.compile("dit gaat er gebeuren"))
        preview.get_by_role("button", name="Toepassen").click()
        asked = theirs.get_by_role("alert").filter(has_text="Een collega is hiermee bezig")
        expect(asked).to_contain_text("Monique Verschuren is hiermee bezig")
        asked.get_by_role("button", name="Niet doen").click()
        expect(asked).to_have_count(0)
        assert "Afgehandeld" not in read_message(tenant, subject)["categories"]  # nothing done

        preview.get_by_role("button", name="Toepassen").click()
        asked.get_by_role("button", name="Toch doorgaan").click()
        expect(theirs.get_by_role("status").filter(has_text="klaar")).to_contain_text(
            "Afgehandeld: klaar"
        )
        assert "Afgehandeld" in read_message(tenant, subject)["categories"]

        mine.get_by_test_id("bezig").get_by_role("button", name="Vrijgeven").click()
        expect(
            theirs.get_by_test_id("bezig").get_by_role("button", name="Ik pak dit op")
        ).to_be_visible(timeout=10_000)  # the release reaches her pane as well
    finally:
        other_context.close()


def read_message(tenant: Tenant, subject: str) -> dict:
    async def get() -> dict:
        async with tenant.raw(BURGEMEESTER) as graph:
            resp = await graph.get(f"/users/{BURGEMEESTER}/messages",
                                   params={"$filter": f"subject eq '{subject}'"})  # fmt: skip
            [found] = resp.json()["value"]
            return found

    return run_async(get())


def test_each_item_is_closed_from_the_queue_and_the_handover_is_mailed(
    outlook: Outlook, backend_settings: Settings, backend_url: str, tenant: Tenant
) -> None:
    """Flagged mail opens in Outlook and is dealt with, a double booking is set aside, the
    executive filter narrows the list, and the handover goes to tomorrow's colleague."""
    noon = dt.datetime.combine(TODAY, dt.time(12), AMSTERDAM)
    for_maarten = waiting_draft(tenant, backend_url, "Voor de gemeentesecretaris",
                                mailbox="maarten.oosterveld@zeeveen.nl")  # fmt: skip
    two_days = backend_settings.model_copy(update={"flagged_days": 2})
    day = next_weekday("wed").isoformat()  # within the conflicts' two weeks; free 09:00-10:30
    run_async(her_event(tenant, "Bewust dubbel in de pane", day, "09:00", "10:00"))
    run_async(her_event(tenant, "Tweede helft", day, "09:30", "10:30"))
    for name in ("flagged-mail", "conflicts"):
        run_async(run_job_as_app(two_days, name, mailbox=BURGEMEESTER, clock=SetClock(noon)))
    pane = werkvoorraad(outlook, SECRETARY_A)

    advice = "Advies: last onder dwangsom woning Dijkstraat 14"
    flagged = pane.get_by_test_id("werk").filter(has_text=advice)
    flagged.get_by_role("button", name="Bericht openen").click()
    expect(outlook.page.locator("#geopend")).to_contain_text("Outlook opent een bericht")
    [opened] = outlook.page.evaluate("window.secretariaatHarness.displayed")
    message_id = flagged.get_attribute("data-sleutel").removeprefix("message:")
    assert opened == {"kind": "message", "id": message_id}
    flagged.get_by_role("button", name="Markering wissen").click()
    expect(pane.get_by_test_id("melding")).to_contain_text("De markering is gewist")
    expect(
        pane.get_by_test_id("werk").filter(has_text="Advies: last onder dwangsom")
    ).to_have_count(0)
    assert (
        read_message(tenant, "Advies: last onder dwangsom woning Dijkstraat 14")["flag"][
            "flagStatus"
        ]
        == "complete"
    )

    double = pane.get_by_test_id("werk").filter(has_text="Bewust dubbel in de pane")
    expect(double.get_by_role("button", name=re.compile("^Afspraak . openen$"))).to_have_count(2)
    double.get_by_role("button", name="Afvinken").click()
    expect(pane.get_by_test_id("melding")).to_contain_text("Afgevinkt")
    expect(pane.get_by_test_id("werk").filter(has_text="Bewust dubbel in de pane")).to_have_count(0)

    pane.get_by_label("Bestuurder").select_option(label="Maarten Oosterveld")
    redrawn = pane.locator("section[data-bestuurder='maarten.oosterveld@zeeveen.nl']")
    expect(redrawn).to_be_visible()  # the list as the server narrowed it
    others = redrawn.get_by_test_id("werk").filter(has_not_text="Maarten Oosterveld")
    expect(others).to_have_count(0)
    expect(redrawn.get_by_test_id("werk").filter(has_text=for_maarten)).to_be_visible()

    pane.get_by_role("button", name=re.compile("^Overdracht voor")).click()
    sections = pane.get_by_test_id("overdracht-bestuurder")
    expect(sections).to_have_count(2)
    pane.get_by_role("button", name="Mailen aan Ellen Dijkhuis").click()
    expect(pane.get_by_test_id("overdracht-verstuurd")).to_contain_text(
        "Overdracht gemaild aan Ellen Dijkhuis"
    )
    tomorrow = next_working_day(TODAY)  # the handover is for the next working day
    subject = f"Overdracht {dutch_day(tomorrow)}: Ingrid Zwanenburg, Maarten Oosterveld"
    assert len(run_async(in_folder(tenant, COLLEAGUE, "inbox", subject))) == 1


def test_a_colleague_reports_an_absence_and_the_team_shows_who_is_front_office(
    outlook: Outlook, backend_day: Callable[..., None]
) -> None:
    backend_day(ABSENCE_DAY)
    pane = werkvoorraad(outlook, COLLEAGUE)
    ingrid = pane.get_by_test_id("team-rij").filter(has_text="Ingrid Zwanenburg")
    expect(ingrid.locator("td").nth(1)).to_have_text(in_front("Monique Verschuren"))

    pane.get_by_text("Afwezigheid of ruil doorgeven").click()
    pane.get_by_label("Collega").select_option(label="Monique Verschuren")
    pane.get_by_label("Notitie").fill("ziek gemeld")
    pane.get_by_role("button", name="In het rooster zetten").click()
    expect(pane.get_by_test_id("melding")).to_contain_text(
        "In het rooster: Monique Verschuren afwezig, 1 dag"
    )
    expect(ingrid.locator("td").nth(1)).to_have_text(in_front("Ellen Dijkhuis"))
    rows = pane.get_by_test_id("uitzonderingen").locator("li")
    expect(rows).to_contain_text(["Monique Verschuren afwezig (ziek gemeld)"])

    rows.first.get_by_role("button", name=re.compile("^Verwijderen")).click()
    expect(pane.get_by_test_id("melding")).to_contain_text("Uitzondering verwijderd")
    expect(ingrid.locator("td").nth(1)).to_have_text(in_front("Monique Verschuren"))
