// Naar vergadermap: a new agenda item's title counts only while "Nieuw agendapunt…" is chosen
// (a disabled field is not sent), so a chosen item is never replaced by a half-typed title.
export function bindMeetingFolder(root) {
  root.addEventListener("change", (event) => {
    const item = event.target.closest("select[data-agendapunt]");
    const title = item && item.closest("[data-form]").querySelector("[name='new_item']");
    if (title) title.disabled = item.value !== "";
  });
}
