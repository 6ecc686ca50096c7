// Live: while a shown part follows the queue (data-live: Werkvoorraad, Bericht's "bezig" line),
// a stream of server-sent events, read with fetch so it can carry the token, says when a
// colleague claimed, released or took over; changed() then redraws those parts.
export function follower({ url, token, watching, changed }) {
  let stream = null;

  async function follow() {
    if (stream || !watching()) return;
    const controller = new AbortController();
    stream = controller;
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${await token()}`, Accept: "text/event-stream" },
        signal: controller.signal,
      });
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
          if (block.split("\n").some((line) => line.startsWith("event:"))) changed();
        }
      }
      controller.abort();
    } catch {
      // closed or offline: try again below while a part follows
    } finally {
      stream = null;
    }
    if (watching()) setTimeout(follow, 3000);
  }

  return follow;
}
