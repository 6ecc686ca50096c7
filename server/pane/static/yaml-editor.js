// Beheer's YAML editors (quick steps, reply templates): the line numbers beside the text follow
// its lines and its scrolling, and when a publish is refused, each problem that names its line
// ("regel 14: …", rendered as data-regel by the server) is shown beside that line; its
// "regel 14" button puts the cursor there. A form's addition (Afdeling, Snelle stap, Sjabloon
// toevoegen) publishes a new version: its answer carries the new text (data-nieuwe-versie) and
// "Actief" line, which go into the editor and the page. Everything is built with textContent
// or moved as the server rendered it.

const ROW = "[data-yaml-editor]";

function rows(textarea) {
  return textarea.value.split("\n").length;
}

function metrics(textarea) {
  const style = getComputedStyle(textarea);
  return { line: parseFloat(style.lineHeight) || 20, top: parseFloat(style.paddingTop) || 0 };
}

function number(editor) {
  const textarea = editor.querySelector("textarea");
  const gutter = editor.querySelector(".yaml-regels");
  const wanted = rows(textarea);
  while (gutter.children.length < wanted) {
    const span = document.createElement("span");
    span.textContent = String(gutter.children.length + 1);
    gutter.append(span);
  }
  while (gutter.children.length > wanted) gutter.lastElementChild.remove();
  gutter.scrollTop = textarea.scrollTop;
}

// Problems beside their lines: the number marked, the text just under the line.
function place(editor) {
  const textarea = editor.querySelector("textarea");
  const { line, top } = metrics(textarea);
  for (const note of editor.querySelectorAll(".yaml-fout")) {
    const at = top + Number(note.dataset.regel) * line - textarea.scrollTop;
    note.style.top = `${at}px`;
    note.hidden = at < 0 || at + line > textarea.clientHeight;
  }
}

function clear(editor) {
  for (const note of editor.querySelectorAll(".yaml-fout")) note.remove();
  for (const span of editor.querySelectorAll(".yaml-regels .fout")) span.classList.remove("fout");
}

function mark(problems) {
  const textarea = document.getElementById(problems.dataset.editor);
  const editor = textarea && textarea.closest(ROW);
  if (!editor) return;
  clear(editor);
  const gutter = editor.querySelector(".yaml-regels");
  for (const item of problems.querySelectorAll("[data-regel]")) {
    const n = Number(item.dataset.regel);
    if (gutter.children[n - 1]) gutter.children[n - 1].classList.add("fout");
    const note = document.createElement("div");
    note.className = "yaml-fout";
    note.dataset.regel = String(n);
    note.dataset.testid = "regel-fout";
    note.setAttribute("aria-hidden", "true"); // the list under the editor says it to a reader
    note.textContent = `regel ${n}: ${item.querySelector("[data-probleem]").textContent}`;
    editor.append(note);
  }
  const first = problems.querySelector("[data-regel]");
  if (first) reveal(textarea, Number(first.dataset.regel)); // the first problem in view
  editor.querySelector(".yaml-regels").scrollTop = textarea.scrollTop;
  place(editor);
}

// The new version a form published: its text in the editor, its "Actief" line in the page, and
// the outcome of an earlier publish (about the text that was there) gone.
// An editor's own publish (data-alleen-regel) only moves the "Actief" line, and with it the
// version the next publish is based on.
function follow(update) {
  const textarea = document.getElementById(update.dataset.nieuweVersie);
  const editor = textarea && textarea.closest(ROW);
  if (editor && !update.hasAttribute("data-alleen-regel")) {
    textarea.value = update.dataset.tekst;
    clear(editor);
    number(editor);
    const outcome = textarea.closest("[data-target]");
    if (outcome) document.getElementById(outcome.dataset.target.replace(/^#/, ""))?.replaceChildren();
  }
  const line = update.querySelector("[data-actief]");
  const shown = line && [...document.querySelectorAll("[data-actief]")]
    .find((el) => el.dataset.actief === line.dataset.actief && !update.contains(el));
  if (shown) shown.replaceWith(line);
  update.remove();
}

function reveal(textarea, n) {
  const { line } = metrics(textarea);
  textarea.scrollTop = Math.max(0, (n - 3) * line); // the line, with two above it
}

function goTo(textarea, n) {
  const lines = textarea.value.split("\n");
  const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  const end = start + (lines[n - 1] || "").length;
  textarea.focus();
  textarea.setSelectionRange(start, end);
  reveal(textarea, n);
}

export function bindYamlEditors(root) {
  root.addEventListener("input", (event) => {
    const editor = event.target.closest(ROW);
    if (!editor) return;
    clear(editor); // the lines may have moved: the problems are for the text that was sent
    number(editor);
  });
  root.addEventListener(
    "scroll",
    (event) => {
      const editor = event.target.closest && event.target.closest(ROW);
      if (!editor || event.target.tagName !== "TEXTAREA") return;
      editor.querySelector(".yaml-regels").scrollTop = event.target.scrollTop;
      place(editor);
    },
    true, // scroll does not bubble
  );
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-naar-regel]");
    if (!button) return;
    const problems = button.closest("[data-editor]");
    const textarea = problems && document.getElementById(problems.dataset.editor);
    if (textarea) goTo(textarea, Number(button.dataset.naarRegel));
  });
  // A refused publish arrives as a fragment: mark its lines as soon as it is in the page.
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        const found = node.matches("[data-editor]") ? [node] : node.querySelectorAll("[data-editor]");
        for (const problems of found) mark(problems);
        const updates = node.matches("[data-nieuwe-versie]") ? [node] : node.querySelectorAll("[data-nieuwe-versie]");
        for (const update of updates) follow(update);
      }
    }
  }).observe(root, { childList: true, subtree: true });
}
