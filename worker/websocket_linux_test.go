package worker_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/nettest"
)

// TestStopSaysGoingAway: stop and reload tell each WebSocket client that
// the server is going away (a Close frame with 1001) before its connection
// closes, so that a browser can tell a restart from a failure.
func TestStopSaysGoingAway(t *testing.T) {
	d := deploy(t, 1)
	wsAddr := nettest.FreeAddr(t)
	d.env = append(d.env, "APP_WS="+wsAddr)
	d.mustRun("start", "-d")

	for _, cmd := range []string{"reload", "stop"} {
		t.Run(cmd+" closes a raw client with 1001", func(t *testing.T) {
			c := dialWebSocket(t, wsAddr)
			if err := c.echo("hi"); err != nil {
				t.Fatalf("before %s: %v", cmd, err)
			}
			ran := make(chan error, 1)
			go func() {
				out, err := d.run(cmd)
				if err != nil {
					err = fmt.Errorf("./app %s: %w\n%s", cmd, err, out)
				}
				ran <- err
			}()
			code, err := c.closeCode()
			if err != nil || code != 1001 {
				t.Fatalf("%s: close code %d, %v; want 1001", cmd, code, err)
			}
			if err := c.answerClose(code); err != nil {
				t.Fatal(err)
			}
			if _, err := c.r.ReadByte(); err != io.EOF {
				t.Errorf("after the closing handshake: %v, want EOF", err)
			}
			if err := <-ran; err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("stop closes npm ws with 1001", func(t *testing.T) {
		node := nettest.Need(t, "node")
		modules := nettest.NodeModules(t, "ws")
		if out, err := d.run("start", "-d"); err != nil {
			t.Fatalf("start: %v\n%s", err, out)
		}
		const script = `const WebSocket = require(process.argv[1] + "/ws");
const ws = new WebSocket(process.argv[2]);
ws.on("open", () => console.log("open"));
ws.on("close", (code, reason) => { console.log("close " + code + " " + reason); process.exit(0); });
ws.on("error", (e) => { console.error("ws error: " + e.message); process.exit(1); });`
		client := startBackground(t, exec.Command(node, "-e", script, modules, "ws://"+wsAddr+"/"))
		if !client.out.waitFor("open\n", 1, client.exited, 10*time.Second) {
			t.Fatalf("the ws client did not connect:\n%s", client.out)
		}
		if out, err := d.run("stop"); err != nil {
			t.Fatalf("stop: %v\n%s", err, out)
		}
		if err := client.wait(10 * time.Second); err != nil {
			t.Fatalf("ws client: %v\n%s", err, client.out)
		}
		if out := client.out.String(); !strings.Contains(out, "close 1001 ") {
			t.Fatalf("the ws client saw no close 1001:\n%s", out)
		}
	})
}

// wsClient is a WebSocket client written by hand on a raw socket.
type wsClient struct{ rawClient }

// dialWebSocket opens a WebSocket at addr: the handshake, checked for 101.
func dialWebSocket(tb testing.TB, addr string) *wsClient {
	tb.Helper()
	c, head := dialRaw(tb, addr, "GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") {
		tb.Fatalf("handshake answered with:\n%s", head)
	}
	c.SetDeadline(time.Now().Add(15 * time.Second))
	return &wsClient{c}
}

// send writes one masked frame; the mask key is zero, so the payload goes
// as it is.
func (w *wsClient) send(op byte, payload []byte) error {
	_, err := w.Write(append([]byte{0x80 | op, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...))
	return err
}

// next reads one frame from the server.
func (w *wsClient) next() (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(w.r, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126, 127:
		ext := make([]byte, 2)
		if n == 127 {
			ext = make([]byte, 8)
		}
		if _, err := io.ReadFull(w.r, ext); err != nil {
			return 0, nil, err
		}
		n = 0
		for _, b := range ext {
			n = n<<8 | uint64(b)
		}
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(w.r, payload)
	return h[0] & 0x0F, payload, err
}

// echo sends a text message and waits for it to come back.
func (w *wsClient) echo(msg string) error {
	if err := w.send(0x1, []byte(msg)); err != nil {
		return err
	}
	op, p, err := w.next()
	if err == nil && (op != 0x1 || string(p) != msg) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// closeCode reads frames until a Close frame and returns its code.
func (w *wsClient) closeCode() (int, error) {
	for {
		op, p, err := w.next()
		if err != nil {
			return 0, err
		}
		if op == 0x8 {
			if len(p) < 2 {
				return 1005, nil
			}
			return int(binary.BigEndian.Uint16(p)), nil
		}
	}
}

// answerClose sends the Close frame that completes the closing handshake.
func (w *wsClient) answerClose(code int) error {
	return w.send(0x8, binary.BigEndian.AppendUint16(nil, uint16(code)))
}
