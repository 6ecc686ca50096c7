"""The rendered add-in manifest validates against Microsoft's XSD set and has what Outlook needs.

Schemas: ../shared/schemas/office-addin-manifest/ (see its README: one character fixed in
OfficeAppBasicTypesV1_0.xsd; ``SupportsSharedFolders``, ``SupportsNoItemContext`` and
``SupportsMultiSelect`` added to the Mail 1.1 schema).
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from server.addin.icons import png
from server.addin.manifest import ADDIN_DIR, ICON_SIZES, ManifestError, render_manifest

etree = pytest.importorskip("lxml.etree")

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO.parent / "shared/schemas/office-addin-manifest"
ROOT_XSD = SCHEMAS / "OfficeAppManifestV1_1.xsd"

if not ROOT_XSD.exists():
    # A clone elsewhere may lack shared/; CI always has it beside the clone, and there a
    # missing schema set must fail rather than silently skip the validation.
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(f"{ROOT_XSD} is missing in CI")
    pytest.skip(f"the manifest schemas are not at {SCHEMAS}", allow_module_level=True)

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "v10": "http://schemas.microsoft.com/office/mailappversionoverrides",
    "v11": "http://schemas.microsoft.com/office/mailappversionoverrides/1.1",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XSI_TYPE = f"{{{NS['xsi']}}}type"
CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
DEMO = "https://127.0.0.1:8443"
PRODUCTION = "https://secretariaat.gemeente.example"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(ROOT_XSD)))


def render(base_url: str = DEMO, **overrides: str) -> str:
    values = {
        "base_url": base_url,
        "client_id": CLIENT_ID,
        "api_audience": f"api://127.0.0.1/{CLIENT_ID}",
        "version": "0.1.0",
    }
    values.update(overrides)
    return render_manifest(**values)


def mailbox_min(sets) -> str:
    mailbox = sets.find("*[@Name='Mailbox']")
    return mailbox.get("MinVersion") or sets.get("DefaultMinVersion")


def valid(schema, text: str):
    doc = etree.fromstring(text.encode("utf-8"))
    ok = schema.validate(doc)
    assert ok, "\n".join(str(e) for e in schema.error_log)
    assert len(schema.error_log) == 0
    return doc


@pytest.mark.parametrize("base_url", [DEMO, PRODUCTION, PRODUCTION + "/", PRODUCTION + "/sec"])
def test_rendered_manifest_validates_with_zero_errors(schema, base_url: str) -> None:
    rendered = render(base_url)
    doc = valid(schema, rendered)
    assert doc.get(XSI_TYPE) == "MailApp"
    # The template's warning is gone from the file an admin sideloads.
    assert "Do not sideload it as is" not in rendered and "ready to sideload" in rendered
    base = base_url.rstrip("/")
    values = [e.get("DefaultValue", "") for e in doc.iter(etree.Element)]
    urls = [v for v in values if "://" in v]
    assert urls and all(u.startswith(base + "/") for u in urls)
    assert "{{" not in etree.tostring(doc, encoding="unicode")
    origin = "/".join(base.split("/")[:3])
    assert doc.findtext("o:AppDomains/o:AppDomain", namespaces=NS) == origin


def test_structure_has_the_surfaces_buttons_and_settings_outlook_needs(schema) -> None:
    doc = valid(schema, render(PRODUCTION))
    inner = doc.find("v10:VersionOverrides/v11:VersionOverrides", NS)
    assert inner is not None and inner.get(XSI_TYPE) == "VersionOverridesV1_1"
    assert doc.find("v10:VersionOverrides", NS).get(XSI_TYPE) == "VersionOverridesV1_0"

    desktop = inner.find("v11:Hosts/v11:Host/v11:DesktopFormFactor", NS)
    first = next(desktop.iterchildren(etree.Element))  # before FunctionFile/ExtensionPoint
    assert first.tag == f"{{{NS['v11']}}}SupportsSharedFolders" and first.text == "true"

    strings = {
        s.get("id"): s.get("DefaultValue")
        for s in inner.iterfind("v11:Resources/bt:ShortStrings/bt:String", NS)
    }

    def labels(surface: str) -> list[str]:
        point = desktop.find(f"v11:ExtensionPoint[@xsi:type='{surface}']", NS)
        assert point is not None, surface
        controls = point.iterfind(".//v11:Control", NS)
        return [strings[c.find("v11:Label", NS).get("resid")] for c in controls]

    assert labels("MessageReadCommandSurface") == [
        "Snelle stappen",
        "Concept antwoord",
        "Uitzetten",
        "Vergadermap",
    ]
    assert labels("MessageComposeCommandSurface") == ["Sjablonen"]
    assert labels("AppointmentOrganizerCommandSurface") == ["Agenda", "Agenda leegmaken"]
    assert labels("AppointmentAttendeeCommandSurface") == ["Agenda", "Agenda leegmaken"]

    actions = list(desktop.iterfind(".//v11:Action", NS))
    assert actions and all(a.get(XSI_TYPE) == "ShowTaskpane" for a in actions)
    assert all(a.findtext("v11:SupportsPinning", namespaces=NS) == "true" for a in actions)
    urls = {u.get("id"): u.get("DefaultValue") for u in inner.iterfind(".//bt:Url", NS)}
    for action in actions:
        assert urls[action.find("v11:SourceLocation", NS).get("resid")].startswith(
            PRODUCTION + "/pane/"
        )

    # every button icon at 16, 32 and 80; every resid resolves
    images = {i.get("id") for i in inner.iterfind("v11:Resources/bt:Images/bt:Image", NS)}
    for icon in desktop.iterfind(".//v11:Icon", NS):
        sizes = {i.get("size"): i.get("resid") for i in icon}
        assert set(sizes) == {"16", "32", "80"} and set(sizes.values()) <= images
    long_ids = {s.get("id") for s in inner.iterfind(".//bt:LongStrings/bt:String", NS)}
    for el in desktop.iter(etree.Element):
        if el.get("resid"):
            assert el.get("resid") in images | set(urls) | set(strings) | long_ids

    web = inner.find("v11:WebApplicationInfo", NS)
    assert web.findtext("v11:Id", namespaces=NS) == CLIENT_ID
    assert web.findtext("v11:Resource", namespaces=NS) == f"api://127.0.0.1/{CLIENT_ID}"
    scopes = [s.text for s in web.iterfind("v11:Scopes/v11:Scope", NS)]
    assert "Mail.ReadWrite.Shared" in scopes and "Calendars.ReadWrite.Shared" in scopes

    # The add-in itself loads from Mailbox 1.8 (delegate access); its commands need 1.13.
    assert mailbox_min(doc.find("o:Requirements/o:Sets", NS)) == "1.8"
    assert mailbox_min(inner.find("v11:Requirements/bt:Sets", NS)) == "1.13"
    assert doc.findtext("o:Permissions", namespaces=NS) == "ReadWriteMailbox"
    assert doc.findtext("o:DefaultLocale", namespaces=NS) == "nl-NL"
    assert doc.find("o:DisplayName/o:Override[@Locale='en-US']", NS) is not None
    assert doc.find("o:Description/o:Override[@Locale='en-US']", NS) is not None
    for s in inner.iterfind(".//bt:String", NS):
        assert s.find("bt:Override[@Locale='en-US']", NS) is not None, s.get("id")
    assert doc.find("o:IconUrl", NS).get("DefaultValue").endswith("/icon-64.png")
    assert doc.find("o:HighResolutionIconUrl", NS).get("DefaultValue").endswith("/icon-128.png")
    assert doc.find("o:SupportUrl", NS).get("DefaultValue").startswith(PRODUCTION)


def test_quick_steps_and_dispatch_work_on_several_messages_and_without_one(schema) -> None:
    """Item multi-select (Mailbox 1.13): the Snelle stappen and Uitzetten buttons activate on
    several selected messages and with none; the others keep needing exactly one item."""
    doc = valid(schema, render(PRODUCTION))
    inner = doc.find("v10:VersionOverrides/v11:VersionOverrides", NS)
    assert mailbox_min(inner.find("v11:Requirements/bt:Sets", NS)) == "1.13"
    multi = {}
    for control in inner.iterfind(".//v11:Control", NS):
        action = control.find("v11:Action", NS)
        flags = [
            action.findtext(f"v11:{name}", namespaces=NS)
            for name in ("SupportsNoItemContext", "SupportsMultiSelect")
        ]
        multi[control.get("id")] = flags
    assert multi.pop("msgReadQuickSteps") == ["true", "true"]
    assert multi.pop("msgReadDispatch") == ["true", "true"]
    assert all(flags == [None, None] for flags in multi.values()), multi
    # Only a message surface may carry SupportsMultiSelect (the documented rule).
    for point in inner.iterfind(".//v11:ExtensionPoint", NS):
        if point.find(".//v11:SupportsMultiSelect", NS) is not None:
            assert point.get(XSI_TYPE) == "MessageReadCommandSurface"


def test_multi_select_out_of_the_schema_order_is_refused(schema) -> None:
    """The XSD knows the elements and their place: after SupportsPinning, no-item first."""
    text = render(PRODUCTION)
    swapped = text.replace(
        "<SupportsNoItemContext>true</SupportsNoItemContext>\n"
        "                      <SupportsMultiSelect>true</SupportsMultiSelect>",
        "<SupportsMultiSelect>true</SupportsMultiSelect>\n"
        "                      <SupportsNoItemContext>true</SupportsNoItemContext>",
    )
    assert swapped != text
    assert not schema.validate(etree.fromstring(swapped.encode("utf-8")))


def test_icons_exist_at_every_size_and_are_reproducible() -> None:
    for size in ICON_SIZES:
        data = (ADDIN_DIR / "icons" / f"icon-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
        assert data == png(size), f"icon-{size}.png differs from server.addin.icons"


@pytest.mark.parametrize(
    "bad",
    [
        'https://evil.example/"><Rule xsi:type="ItemIs"/>',
        "https://evil.example/<script>",
        "https://evil.example/a b",
        "https://evil.example/?x=1&y=2",
        "https://user@evil.example",
        "https://",
        "https://host:99999",
    ],
)
def test_hostile_base_url_is_refused(bad: str) -> None:
    with pytest.raises(ManifestError):
        render(bad)


@pytest.mark.parametrize("bad", ["http://127.0.0.1:8443", "ftp://x.example", "127.0.0.1:8443", ""])
def test_non_https_base_url_is_refused(bad: str) -> None:
    with pytest.raises(ManifestError, match="https"):
        render(bad)


def test_hostile_identity_values_are_escaped_and_still_validate(schema) -> None:
    client_id = 'x"/><Rule xsi:type="ItemIs" ItemType="Message"/><Id>'
    audience = "api://evil/<script>&amp;\"'"
    doc = valid(schema, render(PRODUCTION, client_id=client_id, api_audience=audience))
    web = doc.find("v10:VersionOverrides/v11:VersionOverrides/v11:WebApplicationInfo", NS)
    assert web.findtext("v11:Id", namespaces=NS) == client_id
    assert web.findtext("v11:Resource", namespaces=NS) == audience


@pytest.mark.parametrize(
    "field,value", [("client_id", ""), ("client_id", "a\x00b"), ("version", "1.0-beta")]
)
def test_unusable_values_are_refused(field: str, value: str) -> None:
    with pytest.raises(ManifestError):
        render(PRODUCTION, **{field: value})


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "addin", "manifest", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


IDS = ("--client-id", CLIENT_ID, "--api-audience", f"api://{CLIENT_ID}")


def test_cli_writes_out_file(schema, tmp_path: Path) -> None:
    target = tmp_path / "manifest.xml"
    result = cli("--base-url", PRODUCTION, "--out", str(target), *IDS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    valid(schema, target.read_text(encoding="utf-8"))


def test_cli_prints_to_stdout(schema, tmp_path: Path) -> None:
    result = cli("--base-url", DEMO, *IDS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    valid(schema, result.stdout)


@pytest.mark.parametrize("bad", ["http://127.0.0.1:8443", 'https://x.example/"<'])
def test_cli_refuses_bad_base_url_with_one_line(tmp_path: Path, bad: str) -> None:
    target = tmp_path / "manifest.xml"
    result = cli("--base-url", bad, "--out", str(target), *IDS, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fout: ") and "Traceback" not in result.stderr
    assert not target.exists()


def test_cli_without_identity_or_sandbox_says_what_to_do(tmp_path: Path) -> None:
    env_state = tmp_path / "no-sandbox"
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "addin", "manifest", "--base-url", DEMO],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "SECRETARIAAT_MODE": "sandbox",
            "SECRETARIAAT_SANDBOX_STATE": str(env_state),
        },
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--client-id" in lines[0]
