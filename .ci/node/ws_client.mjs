// Drives a WebSocket server with the npm "ws" client (RFC 6455 conformant):
// connects to the URL in argv[2], sends a text message, a binary one, a
// fragmented one and a ping, answers the server's pings (ws does that), then
// closes with 4000. Prints each event as a JSON line and exits on close.
import WebSocket from "ws";

const ws = new WebSocket(process.argv[2]);
const print = (o) => console.log(JSON.stringify(o));
let left = 3; // messages to see before closing

ws.on("open", () => {
  ws.send("héllo");
  ws.send(Buffer.from([1, 2, 3, 255]));
  ws.send("frag", { fin: false });
  ws.send("mented", { fin: true });
  ws.ping("node ping");
});
ws.on("message", (data, isBinary) => {
  print({ type: "message", binary: isBinary, data: isBinary ? [...data] : data.toString() });
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
