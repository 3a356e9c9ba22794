// Drives a WebSocket server with the npm "ws" client (RFC 6455 conformant):
// connects to the URL in argv[2], sends a text message, a binary one, a
// fragmented one whose fragments cut a rune, a long one and a ping, answers
// the server's pings (ws does that), then closes with 4000. Prints each event
// as a JSON line (a long message by its length) and exits on close. argv[3]
// "deflate" offers permessage-deflate and compresses every message; "plain"
// offers nothing.
import WebSocket from "ws";

const deflate = process.argv[3] === "deflate";
const ws = new WebSocket(process.argv[2], { perMessageDeflate: deflate ? { threshold: 0 } : false });
const print = (o) => console.log(JSON.stringify(o));
let left = 4; // messages to see before closing

ws.on("open", () => {
  print({ type: "open", extensions: ws.extensions });
  ws.send("héllo");
  ws.send(Buffer.from([1, 2, 3, 255]));
  const e = Buffer.from("é"); // cut between the fragments
  ws.send(Buffer.concat([Buffer.from("frag"), e.subarray(0, 1)]), { binary: false, fin: false });
  ws.send(Buffer.concat([e.subarray(1), Buffer.from("mented")]), { binary: false, fin: true });
  ws.send("long message ".repeat(1000));
  ws.ping("node ping");
});
ws.on("message", (data, isBinary) => {
  const text = isBinary ? null : data.toString();
  if (text !== null && text.length > 1000) {
    print({ type: "message", binary: false, length: text.length });
  } else {
    print({ type: "message", binary: isBinary, data: isBinary ? [...data] : text });
  }
  if (--left === 0) ws.close(4000, "done");
});
ws.on("ping", (data) => print({ type: "ping", data: data.toString() }));
ws.on("pong", (data) => print({ type: "pong", data: data.toString() }));
ws.on("close", (code, reason) => {
  print({ type: "close", code, reason: reason.toString() });
  process.exit(0);
});
ws.on("error", (e) => {
  console.error("ws error:", e.message);
  process.exit(1);
});
