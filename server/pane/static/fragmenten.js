// Fragments the server renders, and the one small dispatcher that asks for them. A template
// declares what a control asks and where the answer goes; the URLs are rendered beside their
// routes (url('step_apply') in the template). This script moves the server's HTML into place
// and never builds markup from data: everything from mail arrives escaped.
//
// On a button (click) or a select/input (change):
//   data-post="url" | data-get="url"   the request; a GET sends its values as the query
// Read from the control or the nearest ancestor that has it:
//   data-target="#id" | "near .x"      where the answer goes (default: the root); "near" is the
//                                      first .x around the control, going outwards
//   data-swap="outer"                  the answer replaces the target itself (from the same
//                                      element as data-target)
//   data-selection="mailbox message messages item type"   what of the selection is sent
//   data-focus="a, b"                  focus after the answer, if it names no data-autofocus
//   data-offline="text"                what to say when the server cannot be reached
//   data-errors                        (an element) where this form's problems are shown
// Values, later ones winning: the selection; data-vals='{json}' of every ancestor, outer first;
// the fields of the nearest data-form (not those of a form inside it): name="a" its value,
// name="a.b" nested, a checkbox its checked state, name="a[]" checkboxes the checked values,
// data-optional left out when empty, disabled left out, a chosen <option data-vals> adds its
// values, an editable element with data-name its HTML while editable; a field with
// data-required="text" must be filled in first; data-operation="name" one id per click (the
// same again for a retry after a lost connection).
// Also: data-loading (the loading line in the target meanwhile), data-clear="#id" (empty it),
// data-insert="#template" (put the template in the target; a question asked this way — an
// add-in has no window.confirm — is closed by its data-clear button or Escape, and focus goes
// back to the control that asked it), data-sneltoets="Ctrl+Shift+4",
// data-live="url" (redrawn when live() is called), data-achtergrond (a control the pane clicks
// itself to load a part: its answer moves no focus and is not read out), and in an answer
// data-autofocus.
//
// Focus and announcements after an action (WCAG 2.4.3, 4.1.3): focus goes to what the answer
// marks data-autofocus, else the control's twin (same id), else the same thing (the element
// with the same data-sleutel the control sat in), else the first of data-focus, else the
// answer's heading (made focusable with tabindex=-1); never left on a control the answer
// removed (the last two only while focus is still where the action left it). The outcome (a
// role=status in the answer: its heading, else its text) is also read out through the page's
// one polite live region (#aankondiging, made here) unless the answer landed inside a live
// region that was already on the page. Errors come in the error box (role=alert), which is
// read out by itself.
//
// A 409 that asks "Toch doorgaan" (a colleague works on this mail) is a question, not an
// outcome: it goes under the form, the form stays, and "Toch doorgaan" sends the same request
// again with despite_claim. Every call takes the page's ticket; an answer for an older ticket
// (Outlook selected another item meanwhile) is dropped.
//
// A failure worth trying again (429, 5xx: the server's error box with "Opnieuw proberen") does
// not replace the form it came from: the box goes under the form, what she filled in stays,
// and "Opnieuw proberen" sends the same request again (with the same operation id).
import { errorBox, failure, showError } from "./fout.js";

const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex], [contenteditable='true']";
const HEADING = "h1, h2, h3, h4, h5, h6";

export function fragments(root, { token, selection = () => ({}), ticket = () => 0, swapped = () => {} }) {
  const operations = new WeakMap(); // control -> the operation id of its unanswered click
  const questions = new WeakMap(); // "Toch doorgaan" question -> send it again
  const retries = new WeakMap(); // "Opnieuw proberen" of a failed request -> send it again
  const announcer = announcerFor(root);
  const inserted = new WeakSet(); // what an outer swap put in place (not yet "on the page")
  const opened = new WeakMap(); // target -> {control, first}: what data-insert put there, by whom

  // One request with the token; a 401 (expired, revoked) gets one retry with a fresh token.
  async function request(method, url, values = {}, again = false) {
    const headers = { Authorization: `Bearer ${await token(again)}`, Accept: "text/html" };
    let address = url;
    let body;
    if (method === "GET") address = withQuery(url, values);
    else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(values);
    }
    const response = await fetch(address, { method, headers, body });
    if (response.status === 401 && !again) return request(method, url, values, true);
    return {
      status: response.status,
      html: await response.text(),
      isHtml: (response.headers.get("content-type") || "").startsWith("text/html"),
      requestId: response.headers.get("x-request-id") || "",
    };
  }

  function near(el, selector) {
    for (let at = el; at && at !== root; at = at.parentElement) {
      if (at.matches(selector)) return at;
      const found = at.querySelector(selector);
      if (found) return found;
    }
    return null;
  }

  function where(spec, el) {
    if (!spec) return root;
    if (spec.startsWith("near ")) return near(el, spec.slice(5));
    return document.getElementById(spec.replace(/^#/, ""));
  }

  function targetOf(el) {
    const from = el.closest("[data-target]");
    if (!from) return { target: root, swap: "inner" };
    return { target: where(from.dataset.target, el), swap: from.dataset.swap || "inner" };
  }

  function valuesFor(el) {
    const values = {};
    const chosen = selection();
    for (const name of (option(el, "selection") || "").split(/\s+/).filter(Boolean)) {
      if (name === "messages") values.messages = chosen.messages || (chosen.message ? [chosen.message] : []);
      else if (chosen[name] != null) values[name] = chosen[name];
    }
    const layers = [];
    for (let at = el.closest("[data-vals]"); at; at = at.parentElement && at.parentElement.closest("[data-vals]")) {
      layers.unshift(at);
    }
    for (const at of layers) Object.assign(values, JSON.parse(at.dataset.vals));
    const fields = fieldsOf(el.closest("[data-form]"));
    if (el.matches("[name]") && !fields.includes(el)) fields.push(el);
    for (const field of fields) put(values, field);
    return values;
  }

  function swap(target, html, how = "inner") {
    const parsed = document.createElement("template");
    parsed.innerHTML = html; // server-rendered with autoescaping: mail content arrives as text
    const nodes = [...parsed.content.childNodes];
    const parent = target.parentElement;
    if (how === "outer") {
      target.replaceWith(...nodes);
      for (const node of nodes) inserted.add(node);
    }
    else target.replaceChildren(...nodes);
    const region = how === "outer" ? nodes.find((n) => n.nodeType === Node.ELEMENT_NODE) || parent : target;
    swapped(region);
    return region;
  }

  // Focus what the answer asks for, else the control's twin in it (a redrawn select), else the
  // same item (data-sleutel) in it, else the first of data-focus, else the answer's heading;
  // then read the outcome out (see the top of this file). The last two only while focus is
  // still where the action left it (on its control `from`, or lost with it): an answer that
  // comes in after she moved on (a part that loads itself) does not take her focus away.
  function settle(region, id = "", fallback = "", place = "", from = null) {
    const twin = id && document.getElementById(id);
    const hers = !from || lost() || document.activeElement === from;
    const same = hers && place && region && region.nodeType === Node.ELEMENT_NODE
      ? [...region.querySelectorAll("[data-sleutel]")].find((el) => el.dataset.sleutel === place)
      : null;
    const chosen =
      within(region, "[data-autofocus]") ||
      (twin && region.contains(twin) ? twin : null) ||
      same ||
      fallback
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => within(region, s))
        .find(Boolean) ||
      (hers ? within(region, HEADING) : null) ||
      (lost() ? within(region, "[role=status], [role=alert]") || elementOf(region) : null);
    if (chosen) focusOn(chosen);
    announce(region);
  }

  // The outcome (a role=status in the answer: its heading, else its text), read out once,
  // unless a live region that was on the page before the answer reads it already. A role=alert
  // is read out by itself when it appears.
  function announce(region) {
    const el = elementOf(region);
    if (!el || !el.isConnected) return;
    const live = el.closest("[aria-live]");
    if (live && !inserted.has(live)) return;
    const outcome = within(el, "[role=status]");
    if (!outcome) return;
    const text = (outcome.querySelector(HEADING) || outcome).textContent.replace(/\s+/g, " ").trim();
    if (text) announcer.say(text);
  }

  // A problem with this click: in the form's data-errors, else in the target if the form is not
  // in it, else under the form (so what she typed stays).
  function report(el, target, problem) {
    const marked = near(el, "[data-errors]");
    if (marked) return showError(marked, problem);
    if (target && !target.contains(el)) return showError(target, problem);
    const form = el.closest("[data-form]") || el.parentElement;
    for (const old of form.querySelectorAll(":scope > [data-fout]")) old.remove();
    return form.appendChild(errorBox(problem));
  }

  function ask(el, html, again) {
    const form = el.closest("[data-form]") || el.parentElement;
    for (const old of form.querySelectorAll(":scope > .vraag-bezig")) old.remove();
    const question = document.createElement("div");
    question.className = "vraag-bezig";
    question.innerHTML = html; // server-rendered with autoescaping
    form.append(question);
    questions.set(question, again);
    settle(question);
  }

  // The server's error box for a failure worth retrying: where the form stays, its button
  // sends the same request again.
  function failed(el, target, html, again) {
    const parsed = document.createElement("template");
    parsed.innerHTML = html; // server-rendered with autoescaping
    const box = parsed.content.querySelector("[data-fout]");
    const retry = box.querySelector("[data-action='opnieuw']");
    retry.dataset.action = "opnieuw-verzoek"; // not the pane's reload: this request again
    retries.set(retry, again);
    const marked = near(el, "[data-errors]");
    if (marked) marked.replaceChildren(box);
    else {
      const form = el.closest("[data-form]") || el.parentElement;
      for (const old of form.querySelectorAll(":scope > [data-fout]")) old.remove();
      form.appendChild(box);
    }
    target.setAttribute("aria-busy", "false");
    focusOn(retry);
  }

  function loading() {
    return document.getElementById("laden-sjabloon").content.cloneNode(true);
  }

  // What the control declares; `how` overrides the request (a feature that computes it).
  async function run(el, extra = {}, how = {}) {
    const method = how.method || (el.hasAttribute("data-post") ? "POST" : "GET");
    const url = how.url || el.getAttribute(method === "POST" ? "data-post" : "data-get");
    const { target, swap: mode } = targetOf(el);
    if (!target) return;
    const lacking = fieldsOf(el.closest("[data-form]")).find((f) => f.dataset.required && !f.value.trim());
    if (lacking) {
      report(el, target, { message: lacking.dataset.required });
      lacking.focus();
      return;
    }
    const values = { ...valuesFor(el), ...extra };
    const operation = el.dataset.operation;
    if (operation) {
      if (!operations.has(el)) operations.set(el, crypto.randomUUID());
      values[operation] = operations.get(el);
    }
    const [id, fallback, offline] = [el.id, option(el, "focus") || "", option(el, "offline")];
    const place = el.closest("[data-sleutel]")?.dataset.sleutel || "";
    const mine = ticket();
    const button = el.tagName === "BUTTON" ? el : null;
    if (button) button.disabled = true; // one click at a time
    target.setAttribute("aria-busy", "true");
    if (el.hasAttribute("data-loading")) target.replaceChildren(loading());
    let answer;
    try {
      answer = await request(method, url, values);
    } catch (error) {
      if (mine !== ticket()) return;
      if (button) button.disabled = false;
      target.setAttribute("aria-busy", "false");
      report(el, target, failure(error, offline || undefined));
      return;
    }
    const retryable = answer.isHtml && answer.html.includes('data-action="opnieuw"');
    if (!retryable) operations.delete(el); // answered: a later click is a new operation
    if (mine !== ticket() || !target.isConnected) return; // another item was selected meanwhile
    if (button) button.disabled = false;
    target.setAttribute("aria-busy", "false");
    if (retryable && target.contains(el) && el.isConnected) {
      failed(el, target, answer.html, () => run(el, extra, how)); // the form stays as it was
    } else if (!answer.isHtml) {
      const message = `De server gaf geen pagina terug (status ${answer.status}).`;
      report(el, target, { title: "Onverwacht antwoord", message, requestId: answer.requestId });
    } else if (answer.status === 409 && answer.html.includes("data-ondanks")) {
      ask(el, answer.html, () => run(el, { ...extra, despite_claim: true }, how));
    } else {
      const region = swap(target, answer.html, mode);
      // A part that loads itself (data-achtergrond) takes nobody's focus and says nothing.
      if (!el.hasAttribute("data-achtergrond")) settle(region, id, fallback, place, el);
    }
  }

  // A part that follows the live events asks for itself again, unless something is under way.
  async function refresh(el) {
    const { target, swap: mode } = targetOf(el);
    const busy = () => !target || target.getAttribute("aria-busy") === "true" || root.getAttribute("aria-busy") === "true";
    if (busy()) return;
    const mine = ticket();
    let answer;
    try {
      answer = await request("GET", el.dataset.live, valuesFor(el));
    } catch {
      return; // the next event tries again
    }
    if (mine !== ticket() || !el.isConnected || !target.isConnected || busy()) return;
    if (answer.status !== 200 || !answer.isHtml) return;
    // Her own action's notice ("In het rooster: …", "Teruggezet") outlives the redraw its event
    // causes; an outer swap replaces the target itself, so the notice goes into what came back.
    const mark = ".melding[role=status], .uitkomst[role=status]";
    const notice = target.querySelector(mark);
    const region = swap(target, answer.html, mode);
    const into = region && region.nodeType === Node.ELEMENT_NODE ? region : target;
    if (notice && !into.querySelector(mark)) {
      notice.removeAttribute("data-autofocus");
      const heading = into.querySelector(":scope > h2, :scope > h3");
      if (mode === "outer" && heading) heading.after(notice);
      else (into.querySelector("[data-live]") ?? into).prepend(notice);
    }
  }

  function live() {
    for (const el of root.querySelectorAll("[data-live]")) refresh(el);
  }

  root.addEventListener("click", (event) => {
    const control = event.target.closest("button");
    if (!control || !root.contains(control)) return;
    if (control.matches("[data-post], [data-get]")) run(control);
    else if (control.matches("[data-action='opnieuw-verzoek']")) {
      const again = retries.get(control);
      control.closest("[data-fout]")?.remove();
      if (again) again();
    } else if (control.dataset.clear) close(where(control.dataset.clear, control));
    else if (control.dataset.insert) {
      const { target } = targetOf(control);
      const source = document.getElementById(control.dataset.insert.replace(/^#/, ""));
      if (!target || !source) return;
      target.replaceChildren(source.content.cloneNode(true));
      opened.set(target, { control, first: target.firstElementChild });
      settle(target);
    } else if (control.matches("[data-ondanks], [data-ondanks-niet]")) {
      const question = control.closest(".vraag-bezig");
      if (!question) return;
      const again = questions.get(question);
      question.remove();
      if (control.hasAttribute("data-ondanks") && again) again();
    }
  });

  // Emptied (data-clear); if data-insert put it there and it is still there, focus goes back
  // to the control that put it there.
  function close(target) {
    if (!target) return;
    const from = opened.get(target);
    const asked = from && from.first && target.contains(from.first);
    opened.delete(target);
    target.replaceChildren();
    if (asked && from.control.isConnected) from.control.focus();
  }

  root.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (let at = event.target; at && at !== root; at = at.parentElement) {
      const from = opened.get(at);
      if (from && from.first && at.contains(from.first)) {
        event.preventDefault();
        close(at);
        return;
      }
    }
  });

  root.addEventListener("change", (event) => {
    const field = event.target.closest("select, input");
    if (field && field.matches("[data-post], [data-get]")) run(field);
  });

  return { request, run, refresh, live, swap, settle, report, values: valuesFor, loading };
}

// The set's keyboard shortcuts (Ctrl+Shift+1 …) press the button that declares them.
export function bindShortcuts(root) {
  document.addEventListener("keydown", (event) => {
    if (!event.ctrlKey || !event.shiftKey) return;
    const key = event.code.startsWith("Digit") ? event.code.slice(5) : event.key.toUpperCase();
    const combo = `Ctrl+Shift+${event.altKey ? "Alt+" : ""}${key}`;
    const button = [...root.querySelectorAll("button[data-sneltoets]")].find((b) => b.dataset.sneltoets === combo);
    if (!button) return;
    event.preventDefault();
    button.click();
  });
}

function option(el, name) {
  const from = el.closest(`[data-${name}]`);
  return from ? from.getAttribute(`data-${name}`) : null;
}

function within(region, selector) {
  if (!region || region.nodeType !== Node.ELEMENT_NODE) return null;
  return region.matches(selector) ? region : region.querySelector(selector);
}

function focusOn(el) {
  if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "-1");
  el.focus();
}

function elementOf(region) {
  if (!region) return null;
  return region.nodeType === Node.ELEMENT_NODE ? region : region.parentElement;
}

// Focus went with the control the answer replaced (or was never on the page's content).
function lost() {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

// The page's one polite live region for outcomes: outside the swapped content, so it is there
// before anything is said (a live region made together with its text is often not read out).
function announcerFor(root) {
  let region = document.getElementById("aankondiging");
  if (!region) {
    region = document.createElement("div");
    region.id = "aankondiging";
    region.className = "sr-only";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    // In the page's header (its padding keeps the 1 px box inside the page), else the body.
    const page = root.ownerDocument || document;
    (page.querySelector("body > header") || page.body).append(region);
  }
  let pending = 0;
  return {
    say(text) {
      // Emptied first, so the same outcome twice is still a change a screen reader reads out.
      region.textContent = "";
      clearTimeout(pending);
      pending = setTimeout(() => {
        region.textContent = text;
      }, 50);
    },
  };
}

function withQuery(url, values) {
  const address = new URL(url, document.baseURI);
  for (const [key, value] of Object.entries(values)) {
    if (value != null) address.searchParams.set(key, value);
  }
  return address.href;
}

function fieldsOf(form) {
  if (!form) return [];
  const all = form.querySelectorAll("input[name], select[name], textarea[name], [data-name]");
  return [...all].filter((field) => field.closest("[data-form]") === form);
}

function put(values, field) {
  if (field.disabled) return;
  if (field.dataset.name) {
    if (field.isContentEditable) set(values, field.dataset.name, field.innerHTML);
    return;
  }
  const name = field.getAttribute("name");
  if (field.type === "checkbox" && name.endsWith("[]")) {
    const list = set(values, name.slice(0, -2), null, true);
    if (field.checked) list.push(field.value);
    return;
  }
  if (field.type === "checkbox") return void set(values, name, field.checked);
  if (field.value === "" && field.hasAttribute("data-optional")) return;
  set(values, name, field.value);
  const chosen = field.tagName === "SELECT" && field.selectedOptions[0];
  if (chosen && chosen.dataset.vals) Object.assign(values, JSON.parse(chosen.dataset.vals));
}

function set(values, name, value, list = false) {
  const parts = name.split(".");
  const last = parts.pop();
  let at = values;
  for (const part of parts) at = at[part] = at[part] && typeof at[part] === "object" ? at[part] : {};
  if (list) return (at[last] = Array.isArray(at[last]) ? at[last] : []);
  at[last] = value;
  return value;
}
