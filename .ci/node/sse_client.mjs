// Connects an EventSource (npm "eventsource", WHATWG-conformant) to the URL in
// argv[2], prints each message as a JSON line, and exits after argv[3] of them.
import { EventSource } from "eventsource";

const [url, count = "1"] = process.argv.slice(2);
let left = Number(count);
const source = new EventSource(url);
source.addEventListener("message", (e) => {
  console.log(JSON.stringify({ type: e.type, data: e.data, lastEventId: e.lastEventId }));
  if (--left <= 0) {
    source.close();
    process.exit(0);
  }
});
source.addEventListener("error", (e) => {
  console.error("eventsource error:", e.message ?? e.type);
});
