// Live: while a shown part follows the queue (data-live: Werkvoorraad, Bericht's "bezig" line),
// a stream of server-sent events, read with fetch so it can carry the token, says when a
// colleague claimed, released or took over, marked mail "gezien" (processing) or that new mail
// arrived (inbox); changed() then redraws those parts (Postverwerking among them).
//
// The server ends the stream when the token expires ("expired") and refuses a token it no
// longer accepts (401); either way the next connection asks token(true) for a fresh one.
// Events that come in a burst (fifty new mails, a colleague marking ten "gezien") redraw once:
// each redraw reads Graph, and a burst of redraws per open pane would spend the tenant's
// request budget on nothing.
const SETTLE_MS = 300;

export function follower({ url, token, watching, changed }) {
  let stream = null;
  let fresh = false; // the next connection needs a new token, not the cached one
  let pending = null;

  function soon() {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      changed();
    }, SETTLE_MS);
  }

  async function follow() {
    if (stream || !watching()) return;
    const controller = new AbortController();
    stream = controller;
    let again = 3000; // closed or offline: try again after a pause while a part follows
    const opened = Date.now();
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${await token(fresh)}`, Accept: "text/event-stream" },
        signal: controller.signal,
      });
      fresh = false;
      if (response.status === 401) {
        fresh = true;
        return;
      }
      if (!response.ok) return;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      while (watching()) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const named = block.split("\n").find((line) => line.startsWith("event:"));
          if (!named) continue; // a comment that keeps the connection open
          if (named.slice(6).trim() === "expired") {
            // The server closes now: connect again at once with a new token (after the pause
            // when this token was already spent on connecting, lest a stale one loop).
            fresh = true;
            again = Date.now() - opened < 5000 ? 3000 : 0;
          } else {
            soon();
          }
        }
      }
    } catch {
      // closed or offline: try again below while a part follows
    } finally {
      controller.abort();
      stream = null;
      if (watching()) setTimeout(follow, again);
    }
  }

  return follow;
}
