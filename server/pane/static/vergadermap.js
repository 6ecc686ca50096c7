// Naar vergadermap: a new agenda item's title counts only while "Nieuw agendapunt…" is chosen
// (a disabled field is not sent), so a chosen item is never replaced by a half-typed title.
// The push button names where the documents go; the agenda-item part follows her choice here
// (as text, never markup), the meeting part is the server's.
//
// The overview's downloads (a stored document, the meeting as ZIP) need the pane's token, so a
// link with data-download is fetched with it and handed to the browser as a file; what the
// server refuses is shown beside the link in the pane's error box.
import { dropToken, getToken } from "./auth.js";
import { errorBox, failure } from "./fout.js";

export function bindMeetingFolder(root) {
  root.addEventListener("change", (event) => {
    const item = event.target.closest("select[data-agendapunt]");
    const title = item && item.closest("[data-form]").querySelector("[name='new_item']");
    if (title) title.disabled = item.value !== "";
    if (item) nameTarget(item.closest("[data-form]"));
  });
  root.addEventListener("input", (event) => {
    if (event.target.matches("[name='new_item']")) nameTarget(event.target.closest("[data-form]"));
  });
  root.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-download]");
    if (!link || !root.contains(link)) return;
    event.preventDefault();
    download(link);
  });
}

function nameTarget(form) {
  const shown = form && form.querySelector("[data-doel-punt]");
  const item = form && form.querySelector("select[data-agendapunt]");
  if (!shown || !item) return;
  if (item.value !== "") {
    shown.textContent = `agendapunt ${item.selectedOptions[0].textContent.trim()}`;
    return;
  }
  const title = (form.querySelector("[name='new_item']").value || "").trim();
  shown.textContent = title ? `nieuw agendapunt „${title}”` : "nieuw agendapunt (nog zonder titel)";
}

function auth() {
  const config = JSON.parse(document.getElementById("pane-config").textContent);
  return { ...config, dialogUrl: document.body.dataset.urlDialog };
}

async function fetchWithToken(url, again = false) {
  if (again) dropToken();
  const response = await fetch(url, { headers: { Authorization: `Bearer ${await getToken(auth())}` } });
  if (response.status === 401 && !again) return fetchWithToken(url, true);
  return response;
}

async function download(link) {
  const place = link.closest("li, p") || link.parentElement;
  for (const old of place.querySelectorAll(":scope > [data-fout]")) old.remove();
  link.setAttribute("aria-busy", "true");
  try {
    const response = await fetchWithToken(link.href);
    if (!response.ok) {
      let message = `Openen is niet gelukt (status ${response.status}).`;
      try {
        message = (await response.json()).error.message || message;
      } catch {
        // not our error answer: the status says enough
      }
      place.append(errorBox({ message, requestId: response.headers.get("x-request-id") || "" }));
      return;
    }
    const file = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = file;
    save.download = link.dataset.download || "";
    save.hidden = true;
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(file), 60_000);
  } catch (error) {
    place.append(errorBox(failure(error)));
  } finally {
    link.setAttribute("aria-busy", "false");
  }
}
