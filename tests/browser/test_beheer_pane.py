"""Beheer in the harness: the admin's own mailbox is empty, so she opens the pane with nothing
selected (as Outlook allows with SupportsNoItemContext) and works there at 360 and 320 px: a
dry run, the YAML editor, the forms for the common changes, and "Nu uitvoeren" that asks first
(an add-in cannot use window.confirm) — by mouse and by keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Locator, expect

from automations.jobs.runner import RunReport, recent_runs
from automations.store import create_engine, session_factory
from server.settings import Settings
from tests.browser import test_keyboard as keys
from tests.browser.outlook import Outlook, open_tab, plant, run_async
from tests.browser.test_meetings_pane import WIDER
from tests.browser.test_pane_looks import serious_violations
from tests.browser.test_pane_narrow import TOO_WIDE, at_width
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, SECRETARY_A


def open_without_item(outlook: Outlook) -> FrameLocator:
    outlook.page.get_by_role("button", name="Secretariaat openen zonder item").click()
    return outlook.pane_loaded()


def test_the_admin_opens_the_pane_with_nothing_selected_and_reaches_beheer(
    outlook: Outlook,
) -> None:
    warm(outlook)
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak")
    pane = open_without_item(outlook)
    nav = pane.locator("nav")

    expect(nav.locator("a[aria-current='page']")).to_have_text("Werkvoorraad")
    expect(nav.locator("a[data-view='bericht']")).to_be_hidden()  # about an item: none here
    expect(pane.locator("#context")).to_contain_text(ADMIN)
    open_tab(pane, "beheer")  # on the line, or behind "Meer" when it does not fit
    expect(pane.locator("#rooster-titel")).to_have_text("Rooster van vandaag")


def test_without_an_item_a_secretary_sees_no_beheer_and_bericht_returns_with_a_message(
    outlook: Outlook, tenant: Tenant
) -> None:
    plant(tenant, SECRETARY_A, {"subject": "Later gekozen"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Mijn postvak")
    pane = open_without_item(outlook)
    nav = pane.locator("nav")
    expect(nav).to_have_attribute("data-rol", "secretary")  # the role check has run
    expect(nav.locator("a[data-view='beheer']")).to_be_hidden()
    expect(nav.locator("a[data-view='bericht']")).to_be_hidden()
    expect(nav.locator("a[aria-current='page']")).to_have_text("Werkvoorraad")

    outlook.select("Later gekozen")  # the pinned pane follows the selection
    expect(nav.locator("a[data-view='bericht']")).to_be_visible()
    expect(nav.locator("a[aria-current='page']")).to_have_text("Bericht")
    expect(pane.get_by_test_id("onderwerp")).to_have_text("Later gekozen")


def test_at_360_px_the_admin_dry_runs_a_job_and_sees_a_yaml_error_beside_its_line(
    outlook: Outlook, artefacts: Path
) -> None:
    warm(outlook)
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak").pane_width(360)
    pane = open_without_item(outlook)
    open_tab(pane, "beheer")
    frame = outlook.pane_frame()

    job = pane.locator("[data-taak='expired-holds']")
    expect(job.get_by_role("heading")).to_have_text("Verlopen opties vrijgeven")
    job.get_by_role("button", name="Proefdraai").click()
    outcome = job.get_by_test_id("taak-uitkomst")
    expect(outcome).to_contain_text("Proefdraai: Verlopen opties vrijgeven")
    expect(outcome).to_contain_text("Er is niets veranderd")
    expect(outcome).to_contain_text("Ingrid Zwanenburg")
    assert frame.evaluate(WIDER) == []

    text = pane.get_by_label("Het hele bestand (YAML)")
    expect(text).to_have_value(re.compile("due: tomorrow"))
    original = text.input_value()
    editor = pane.locator("[data-yaml-editor]").filter(has=text)
    numbers = editor.locator(".yaml-regels span")
    expect(numbers).to_have_count(original.count("\n") + 1)  # a number per line of the file

    bad = original.replace("due: tomorrow", "due: gisteren", 1)
    line = bad[: bad.index("gisteren")].count("\n") + 1
    text.fill(bad)
    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name="Publiceren").click()
    expect(pane.get_by_role("alert")).to_contain_text("ongeldige waarde 'gisteren'")
    beside = editor.get_by_test_id("regel-fout")
    expect(beside).to_be_visible()  # scrolled into view beside its line
    expect(beside).to_contain_text(f"regel {line}:")
    expect(numbers.nth(line - 1)).to_have_class(re.compile("fout"))
    assert frame.evaluate(WIDER) == []
    outlook.page.locator("#taakvenster").screenshot(path=artefacts / "beheer-yaml-fout-360.png")

    pane.get_by_role("button", name=f"Naar regel {line}").click()  # the cursor goes there
    expect(text).to_be_focused()
    chosen = frame.evaluate(
        "() => { const t = document.activeElement;"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert "gisteren" in chosen

    text.press("End")
    text.type(" ")  # an edit: the marks were for the text that was sent
    expect(beside).to_have_count(0)


# A job whose real run only writes to this module's store (findings for the work queue).
JOB, JOB_LABEL = "conflicts", "Dubbele boekingen signaleren"


def runs_of(settings: Settings, job: str) -> list[RunReport]:
    """The job's runs in the backend's store, newest first."""

    async def read() -> list[RunReport]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine, clock=settings.make_clock())() as session:
                return await recent_runs(session, job=job, limit=100)
        finally:
            await engine.dispose()

    return run_async(read())


def version_in(line: Locator) -> int:
    """N of the "Actief: versie N van …" line."""
    found = re.search(r"Actief: versie (\d+)", line.inner_text())
    assert found, line.inner_text()
    return int(found.group(1))


def warm(outlook: Outlook) -> None:
    """The harness's first list of users can take seconds on a busy machine (longer than
    ``sign_in`` waits): asked for once before."""
    outlook.page.request.get(f"{outlook.base_url}/dev/outlook/gebruikers", timeout=30_000)


def beheer_at(outlook: Outlook, width: int) -> FrameLocator:
    warm(outlook)
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak")
    pane = open_without_item(outlook)
    at_width(outlook, width)
    open_tab(pane, "beheer")
    expect(pane.locator("#rooster-titel")).to_have_text("Rooster van vandaag")
    return pane


def fits(outlook: Outlook, what: str, width: int) -> None:
    assert outlook.pane_frame().evaluate(TOO_WIDE) == [], f"{what} at {width}px"


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", (360, 320))
def test_the_admin_adds_a_department_and_a_template_by_form_and_runs_a_job_after_confirming(
    width: int, outlook: Outlook, backend_settings: Settings, artefacts: Path, axe_source: str
) -> None:
    pane = beheer_at(outlook, width)
    frame = outlook.pane_frame()
    steps = pane.get_by_role("region", name="Snelle stappen")
    steps_line = steps.locator("[data-actief='stappen-tekst']")
    before = version_in(steps_line)
    department = f"Burgerzaken {width}"

    steps.locator("summary", has_text="Snelle stap toevoegen").click()
    expect(pane.get_by_test_id("stap-formulier").get_by_label("Pictogram")).to_be_visible()
    steps.locator("summary", has_text="Afdeling toevoegen").click()  # the summary opens the form
    form = pane.get_by_test_id("afdeling-formulier")
    form.get_by_label("Naam").fill(department)
    form.get_by_label("E-mailadres").fill("eva.bakker@zeeveen.nl")
    form.get_by_label("Onderwerpen (mag leeg)").fill("paspoorten, rijbewijzen")
    fits(outlook, "stappen-formulieren", width)
    assert serious_violations(frame, axe_source) == []
    form.get_by_role("button", name="Afdeling toevoegen").click()

    done = pane.get_by_test_id("toegevoegd")
    expect(done).to_have_text(
        f"De afdeling {department} is toegevoegd: versie {before + 1} is nu actief"
        " voor het hele team."
    )
    expect(done).to_be_focused()
    expect(steps_line).to_contain_text(f"Actief: versie {before + 1} van Dennis Vos")
    yaml = steps.get_by_label("Het hele bestand (YAML)")
    expect(yaml).to_have_value(
        re.compile(f"  - key: burgerzaken-{width}\n    name: {department}\n")
    )
    numbers = steps.locator(".yaml-regels span")
    expect(numbers).to_have_count(yaml.input_value().count("\n") + 1)  # the gutter follows
    expect(pane.get_by_test_id("afdeling-formulier").get_by_label("Naam")).to_have_value("")

    form = pane.get_by_test_id("afdeling-formulier")  # the same department again: refused
    form.get_by_label("Naam").fill(department)
    form.get_by_label("E-mailadres").fill("eva.bakker@zeeveen.nl")
    form.get_by_role("button", name="Afdeling toevoegen").click()
    name = pane.get_by_test_id("afdeling-formulier").get_by_label("Naam")
    expect(name).to_have_accessible_description(f"Er is al een afdeling '{department}'.")
    expect(name).to_be_focused()
    expect(name).to_have_value(department)  # what she typed stays
    expect(steps_line).to_contain_text(f"Actief: versie {before + 1} ")
    fits(outlook, "afdeling-fout", width)
    outlook.page.locator("#taakvenster").screenshot(path=artefacts / f"beheer-afdeling-{width}.png")

    templates = pane.get_by_role("region", name="Antwoordsjablonen")
    templates_line = templates.locator("[data-actief='sjablonen-tekst']")
    was = version_in(templates_line)
    templates.locator("summary", has_text="Sjabloon toevoegen").click()
    form = pane.get_by_test_id("sjabloon-formulier")
    body = form.get_by_label("Tekst (HTML)")
    expect(body).to_have_value(re.compile(r"\{\{ salutation \}\}.*\{\{ executive.name \}\}", re.S))
    form.get_by_label("Naam").fill(f"Afspraak bevestigd {width}")
    form.get_by_label("Stijl").select_option("informeel")
    fits(outlook, "sjabloon-formulier", width)
    form.get_by_role("button", name="Sjabloon toevoegen").click()
    expect(form.get_by_test_id("toegevoegd")).to_contain_text(f"versie {was + 1} is nu actief")
    expect(templates_line).to_contain_text(f"Actief: versie {was + 1} van Dennis Vos")
    expect(templates.get_by_label("Alle sjablonen (YAML)")).to_have_value(
        re.compile(f"  - name: Afspraak bevestigd {width}\n    style: informeel\n")
    )

    job = pane.locator(f"[data-taak='{JOB}']")
    now = job.get_by_role("button", name="Nu uitvoeren", exact=True)
    runs = len(runs_of(backend_settings, JOB))
    now.click()
    question = job.get_by_test_id("bevestigen")
    expect(question).to_contain_text(f"{JOB_LABEL} nu uitvoeren voor alle bestuurders?")
    expect(question).to_contain_text("Dubbele boekingen en vergaderingen zonder reistijd")
    confirm = question.get_by_role("button", name="Ja, nu uitvoeren")
    expect(confirm).to_be_focused()
    fits(outlook, "bevestigen", width)
    assert serious_violations(frame, axe_source) == []
    confirm.scroll_into_view_if_needed()
    outlook.page.locator("#taakvenster").screenshot(
        path=artefacts / f"beheer-bevestigen-{width}.png"
    )
    question.get_by_role("button", name="Annuleren").click()
    expect(question).to_have_count(0)
    expect(now).to_be_focused()  # back where she was
    now.click()
    expect(confirm).to_be_focused()
    outlook.page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    expect(now).to_be_focused()
    assert len(runs_of(backend_settings, JOB)) == runs  # cancelled twice: nothing ran

    now.click()
    confirm.click()
    outcome = job.get_by_test_id("taak-uitkomst")
    expect(outcome).to_contain_text(f"Uitgevoerd: {JOB_LABEL}")
    after = runs_of(backend_settings, JOB)
    assert len(after) == runs + 1 and not after[0].dry_run
    fits(outlook, "taak-uitgevoerd", width)


def test_by_keyboard_alone_the_admin_adds_a_department_and_runs_a_job_after_confirming(
    outlook: Outlook, backend_settings: Settings
) -> None:
    page = outlook.page
    warm(outlook)
    outlook.sign_in(ADMIN)
    mailbox = page.locator("#postvakken button", has_text="Mijn postvak")
    keys.press_on(page, mailbox)
    outlook.loaded()
    keys.press_on(page, page.get_by_role("button", name="Secretariaat openen zonder item"))
    pane = outlook.pane_loaded()
    pane.locator("a.skip").focus()  # Outlook's F6: into the task pane
    keys.open_tab(page, pane, "beheer")
    steps = pane.get_by_role("region", name="Snelle stappen")
    before = version_in(steps.locator("[data-actief='stappen-tekst']"))

    keys.tab_to(page, steps.locator("summary", has_text="Afdeling toevoegen"))
    page.keyboard.press("Enter")
    form = pane.get_by_test_id("afdeling-formulier")
    keys.tab_to(page, form.get_by_label("Naam"))
    page.keyboard.type("Toetsenbordzaken")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the key stays empty: made from the name
    expect(form.get_by_label("E-mailadres")).to_be_focused()
    page.keyboard.type("geen adres")
    keys.tab_to(page, form.get_by_role("button", name="Afdeling toevoegen"))
    page.keyboard.press("Enter")
    address = pane.get_by_test_id("afdeling-formulier").get_by_label("E-mailadres")
    expect(address).to_be_focused()  # the problem's field, with the problem as its description
    expect(address).to_have_accessible_description(re.compile("is geen e-mailadres"))
    page.keyboard.press("Control+A")
    page.keyboard.type("toetsenbord@zeeveen.nl")
    keys.tab_to(page, pane.get_by_role("button", name="Afdeling toevoegen"))
    page.keyboard.press("Enter")
    done = pane.get_by_test_id("toegevoegd")
    expect(done).to_be_focused()
    keys.announced(pane, done, f"versie {before + 1} is nu actief")
    expect(steps.get_by_label("Het hele bestand (YAML)")).to_have_value(
        re.compile("key: toetsenbordzaken")
    )

    job = pane.locator(f"[data-taak='{JOB}']")
    now = job.get_by_role("button", name="Nu uitvoeren", exact=True)
    runs = len(runs_of(backend_settings, JOB))
    keys.tab_to(page, now)
    page.keyboard.press("Enter")
    confirm = job.get_by_role("button", name="Ja, nu uitvoeren")
    expect(confirm).to_be_focused()
    page.keyboard.press("Tab")
    expect(job.get_by_role("button", name="Annuleren")).to_be_focused()
    page.keyboard.press("Enter")
    expect(now).to_be_focused()
    expect(job.get_by_test_id("bevestigen")).to_have_count(0)
    assert len(runs_of(backend_settings, JOB)) == runs

    page.keyboard.press("Enter")  # asks again
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    heading = job.get_by_role("heading", name=f"Uitgevoerd: {JOB_LABEL}")
    expect(heading).to_be_focused()
    keys.announced(pane, job.get_by_test_id("taak-uitkomst"), f"Uitgevoerd: {JOB_LABEL}")
    assert len(runs_of(backend_settings, JOB)) == runs + 1
