// An npm "ws" echo server with permessage-deflate on every message and its
// own defaults (context takeover on both sides unless the client asks
// otherwise). Prints its port, then echoes each message in two compressed
// fragments cut at its middle byte (inside a rune, as likely as not).
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: { threshold: 0 } }, () =>
  console.log(wss.address().port),
);
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    const half = data.length >> 1;
    ws.send(data.subarray(0, half), { binary: isBinary, fin: false });
    ws.send(data.subarray(half), { binary: isBinary, fin: true });
  });
});
