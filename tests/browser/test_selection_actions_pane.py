"""A morning's mail, several at once: Monique selects messages in Ingrid Zwanenburg's Inbox and
dispatches three to Juridische Zaken in one go, puts the attachments of two mails into one
agenda item, marks four "gezien" (they leave Ellen's open Postverwerking without a reload, and
come back when she undoes it), and picks up three of which Ellen already has one."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import FrameLocator, Locator, expect

from tests.browser.outlook import Outlook, pane_checked, run_async
from tests.browser.test_multiselect_pane import planted, select_all
from tests.browser.test_processing_pane import postverwerking
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY
from tests.server.test_meetings_api import docx, mail, pdf
from tests.server.test_quicksteps_api import graph_get, new_message

MONIQUE, ELLEN = SECRETARY_A, SECRETARY_A_FRIDAY
LAWYER = "hans.verbeek@zeeveen.nl"  # Juridische Zaken in the demo address list


def rows(outlook: Outlook, ids: list[str]) -> list[Locator]:
    return [outlook.page.locator(f"#items button[data-id='{i}']") for i in ids]


def select_ids(outlook: Outlook, ids: list[str]) -> FrameLocator:
    """Click the first, Ctrl-click the rest, as in Outlook; the pane shows the selection."""
    first, *others = rows(outlook, ids)
    first.click()
    outlook.pane_loaded()
    for row in others:
        row.click(modifiers=["Control"])
    pane = outlook.pane_loaded()
    expect(pane.get_by_test_id("selectie-titel")).to_contain_text(
        f"{len(ids)} berichten geselecteerd"
    )
    return pane


def with_these(pane: FrameLocator, n: int) -> Locator:
    return pane.get_by_role("region", name=f"Met deze {n} berichten")


def test_three_dispatched_to_a_department_at_once(outlook: Outlook, tenant: Tenant) -> None:
    """One dispatch per message (each its own deadline, reminder and answer), chosen once."""
    subjects = planted(tenant, 3)
    outlook.sign_in(MONIQUE).open_mailbox("Ingrid Zwanenburg")
    select_all(outlook, subjects)
    pane = outlook.pane_loaded()
    steps = pane.get_by_role("region", name="Snelle stappen op 3 berichten")
    steps.get_by_role("button", name=re.compile("Uitzetten bij vakafdeling")).click()
    preview = pane.get_by_test_id("selectie-voorbeeld")
    apply = preview.get_by_role("button", name="Toepassen op 3 berichten")
    expect(apply).to_be_disabled()  # first the department, once for all three
    preview.get_by_label("Naar welke afdeling?").select_option("juridische-zaken")
    expect(preview).to_contain_text("Uitzetten bij Juridische Zaken (hans.verbeek@zeeveen.nl)")
    apply.click()
    outcome = pane.get_by_test_id("selectie-uitkomst")
    expect(outcome.get_by_role("heading")).to_contain_text("op 3 berichten: klaar")
    expect(outcome.locator("[data-testid=uitkomst-bericht][data-status=gedaan]")).to_have_count(3)

    arrived = run_async(graph_get(
        tenant, f"/users/{LAWYER}/mailFolders/inbox/messages?$top=50&$select=subject", upn=LAWYER
    ))["value"]  # fmt: skip
    for subject in subjects:  # one forward each, the deadline in the subject line
        got = [m["subject"] for m in arrived if subject.split(":")[0] in m["subject"]]
        assert len(got) == 1, (subject, got)

    outlook.select(subjects[0])  # each message now shows its own dispatch
    expect(pane.get_by_test_id("uitzetting")).to_contain_text("Juridische Zaken")


def test_attachments_of_two_mails_into_one_agenda_item(outlook: Outlook, tenant: Tenant) -> None:
    tag = uuid.uuid4().hex[:6]
    first = run_async(mail(tenant, [("Raadsvoorstel.pdf", pdf(30 * 1024)),
                                    ("Bijlage.docx", docx(10 * 1024))],
                           subject=f"Stukken haven {tag}"))  # fmt: skip
    second = run_async(mail(tenant, [("Bijlage.docx", docx(12 * 1024))],
                            subject=f"Aanvulling haven {tag}"))  # fmt: skip
    outlook.sign_in(MONIQUE).open_mailbox("Ingrid Zwanenburg")
    pane = select_ids(outlook, [first, second])
    with_these(pane, 2).get_by_role("button", name="Naar vergadermap…").click()

    per_mail = pane.get_by_test_id("bijlagen-per-bericht")
    expect(per_mail.get_by_test_id("bijlagen-bericht")).to_have_text(
        [re.compile(f"^Stukken haven {tag}"), re.compile(f"^Aanvulling haven {tag}")]
    )
    expect(per_mail.get_by_role("checkbox")).to_have_count(3)
    meeting = pane.get_by_label("Vergadering")
    college = meeting.locator("option", has_text="Collegevergadering (uit de agenda)").first
    meeting.select_option(college.get_attribute("value"))
    expect(pane.locator("#selectie-actie-uitkomst")).to_have_attribute("aria-busy", "false")
    pane.get_by_label("Nieuw agendapunt (titel)").fill(f"Haven {tag}")
    pane.get_by_role("button", name="In vergadermap zetten").click()

    outcome = pane.get_by_test_id("vergadermap-uitkomst")
    expect(outcome.locator("li")).to_have_count(3)
    expect(outcome).to_contain_text(f"01-Haven {tag}-Bijlage-2.docx")  # unique across both
    outcome.get_by_role("button", name="Overzicht van de vergadering").click()
    item = pane.get_by_test_id("agendapunt").filter(has_text=f"Haven {tag}")
    expect(item.locator("li")).to_have_count(3)
    for message in (first, second):
        labelled = run_async(graph_get(
            tenant, f"/users/{BURGEMEESTER}/messages/{message}?$select=categories"
        ))  # fmt: skip
        assert "In vergadermap" in labelled["categories"]


@pytest.mark.inject_scripts
def test_four_marked_seen_leave_a_colleagues_open_list_and_come_back_on_undo(
    outlook: Outlook, colleague: Outlook, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    mails = [run_async(new_message(tenant, f"Ter kennisname {n}")) for n in range(4)]
    theirs = postverwerking(colleague, ELLEN)
    for m in mails:
        expect(theirs.locator(f"[data-bericht='{m}']")).to_have_count(1)

    outlook.sign_in(MONIQUE).open_mailbox("Ingrid Zwanenburg")
    pane = select_ids(outlook, mails)
    with_these(pane, 4).get_by_role("button", name="Gezien, niets te doen").click()
    outcome = pane.get_by_test_id("selectie-gezien")
    expect(outcome.get_by_role("heading")).to_have_text("4 berichten gezien")
    expect(outcome.locator("[data-testid=gezien-bericht][data-status=gezien]")).to_have_count(4)
    pane_checked(outlook, "selectie-gezien", 360, artefacts=artefacts, axe_source=axe_source)

    for m in mails:  # Ellen's list redraws by itself (the "processing" event)
        expect(theirs.locator(f"[data-bericht='{m}']")).to_have_count(0)

    outcome.get_by_role("button", name="Ongedaan maken").click()
    back = pane.get_by_test_id("selectie-gezien")
    expect(back.get_by_role("heading")).to_have_text("4 berichten weer open")
    for m in mails:
        expect(theirs.locator(f"[data-bericht='{m}']")).to_have_count(1)


def test_pick_up_three_of_which_a_colleague_has_one(
    outlook: Outlook, colleague: Outlook, tenant: Tenant
) -> None:
    mails = [run_async(new_message(tenant, f"Oppakken {n}")) for n in range(3)]
    colleague.sign_in(ELLEN).open_mailbox("Ingrid Zwanenburg")
    rows(colleague, mails[:1])[0].click()
    hers = colleague.pane_loaded()
    hers.get_by_role("button", name="Ik pak dit op").click()
    expect(hers.get_by_test_id("bezig")).to_contain_text("U bent hiermee bezig")

    outlook.sign_in(MONIQUE).open_mailbox("Ingrid Zwanenburg")
    pane = select_ids(outlook, mails)
    with_these(pane, 3).get_by_role("button", name="Ik pak deze op").click()
    outcome = pane.get_by_test_id("selectie-bezig")
    expect(outcome.get_by_role("heading")).to_have_text(
        "2 berichten opgepakt; 1 in behandeling bij een collega"
    )
    theirs = outcome.locator("[data-testid=bezig-bericht][data-status=collega]")
    expect(theirs).to_contain_text("Ellen")
    outcome.get_by_role("button", name="Toch overnemen (1 bericht)").click()
    expect(pane.get_by_test_id("selectie-bezig").get_by_role("heading")).to_have_text(
        "1 bericht opgepakt"
    )
    # Ellen's Bericht says who has it now (the queue's "claim" event redraws it).
    expect(hers.get_by_test_id("bezig")).to_contain_text("Monique Verschuren is hiermee bezig")


def test_a_long_apply_says_how_many_are_done(
    outlook: Outlook, tenant: Tenant, admin: httpx.Client
) -> None:
    """Twelve messages on a slow Graph: while it runs the preview counts what is done."""
    subjects = planted(tenant, 12)
    outlook.sign_in(MONIQUE).open_mailbox("Ingrid Zwanenburg")
    select_all(outlook, subjects)
    pane = outlook.pane_loaded()
    steps = pane.get_by_role("region", name="Snelle stappen op 12 berichten")
    steps.get_by_role("button", name=re.compile("Ter afhandeling backoffice")).click()
    apply = pane.get_by_test_id("selectie-voorbeeld").get_by_role(
        "button", name="Toepassen op 12 berichten"
    )
    expect(apply).to_be_enabled()
    admin.post("/limits", json={**DEFAULT_LIMITS, "latency_ms": 400}).raise_for_status()
    apply.click()
    expect(pane.get_by_test_id("voortgang-telling")).to_have_text(
        re.compile(r"^\d+ van 12 berichten klaar…$")
    )
    outcome = pane.get_by_test_id("selectie-uitkomst")
    expect(outcome.get_by_role("heading")).to_contain_text("op 12 berichten: klaar", timeout=30_000)
