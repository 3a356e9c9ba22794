package websocket_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

func TestNodeWsClient(t *testing.T) {
	node := nettest.Need(t, "node")
	modules := nettest.NodeModules(t, "ws")
	for _, mode := range []string{"plain", "deflate"} {
		t.Run(mode, func(t *testing.T) {
			nettest.Backends(t, func(t *testing.T) { nodeWsClient(t, node, modules, mode) })
		})
	}
}

// nodeWsClient runs ws_client.mjs against a server; with mode "deflate" the
// client offers permessage-deflate and compresses every message, and the
// server answers compressed from DefaultCompressThreshold up.
func nodeWsClient(t *testing.T, node, modules, mode string) {
	closes := make(chan int, 1)
	offers := make(chan string, 1)
	addr := serveWS(t, &websocket.Protocol{
		OnWebSocketConnected: func(c protocols.Conn, req *http.Request) {
			offers <- req.Header("Sec-WebSocket-Extensions")
			websocket.Ping(c, []byte("server ping"))
		},
		OnCloseFrame: func(c protocols.Conn, code int, reason string) { closes <- code },
	})
	out, err := runNode(t, node, filepath.Join(modules, "..", "ws_client.mjs"), "ws://"+addr+"/", mode)
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	// Pings and pongs race the echoes; messages keep their order.
	var messages, others []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var ev struct{ Type string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("node printed %q: %v", line, err)
		}
		if ev.Type == "message" {
			messages = append(messages, line)
		} else {
			others = append(others, line)
		}
	}
	want := []string{
		`{"type":"message","binary":false,"data":"héllo"}`,
		`{"type":"message","binary":true,"data":[1,2,3,255]}`,
		`{"type":"message","binary":false,"data":"fragémented"}`,
		`{"type":"message","binary":false,"length":13000}`,
	}
	if strings.Join(messages, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(messages, "\n"), strings.Join(want, "\n"))
	}
	extensions := map[string]string{"plain": "", "deflate": "permessage-deflate"}[mode]
	for _, w := range []string{`{"type":"open","extensions":"` + extensions + `"}`, `{"type":"ping","data":"server ping"}`,
		`{"type":"pong","data":"node ping"}`, `{"type":"close","code":4000,"reason":""}`} {
		if !strings.Contains(strings.Join(others, "\n"), w) {
			t.Errorf("node saw no %s; it saw:\n%s", w, out)
		}
	}
	if offer := <-offers; (offer != "") != (mode == "deflate") {
		t.Errorf("ws in mode %s offered %q", mode, offer)
	}
	if code := <-closes; code != 4000 {
		t.Errorf("OnCloseFrame got %d, want 4000", code)
	}
}

// runNode runs a node script with a bound on its run time.
func runNode(t *testing.T, node string, args ...string) ([]byte, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(node, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	nettest.Start(t, cmd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.Bytes(), err
	case <-time.After(nettest.Timeout):
		t.Fatalf("node did not finish; output so far:\n%s", out.String())
	}
	return nil, nil
}

func TestChatPageInChromium(t *testing.T) {
	nettest.Chromium(t) // skips at once when it is missing
	page, err := os.ReadFile(filepath.Join(nettest.ModuleRoot(t), "examples", "websocket", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	// The test's copy of the page sends a greeting and a long message once
	// open and sends back what it receives, so the server sees the browser's
	// whole round trip; the long one travels compressed both ways.
	page = bytes.Replace(page, []byte("</body>"), []byte(`<script>
ws.addEventListener("open", function () { ws.send("hello from the page"); ws.send("long:" + "la".repeat(5000)); });
ws.addEventListener("message", function (e) {
  if (typeof e.data === "string" && e.data.indexOf("echo:") === 0) ws.send("page got " + e.data);
});
</script>
</body>`), 1)
	if !bytes.Contains(page, []byte("page got")) {
		t.Fatal("index.html has no </body>")
	}
	nettest.Backends(t, func(t *testing.T) {
		seen := make(chan string, 8)
		offers := make(chan string, 1)
		longRead := make(chan int64, 1)
		addr := serveWS(t, &websocket.Protocol{
			OnWebSocketConnected: func(c protocols.Conn, req *http.Request) { offers <- req.Header("Sec-WebSocket-Extensions") },
			OnRequest: func(c protocols.Conn, req *http.Request) *http.Response {
				if req.Path() == "/" {
					return http.NewResponse(200, nil, string(page))
				}
				return nil
			},
		}, func(w *worker.Worker) {
			w.OnMessage = func(c *connection.TcpConnection, data any) {
				s := data.(string)
				seen <- s
				if strings.HasPrefix(s, "long:") {
					longRead <- c.BytesRead()
				}
				if !strings.HasPrefix(s, "page got") {
					c.Send("echo:" + s)
				}
			}
		})
		nettest.Start(t, nettest.ChromiumCommand(t, "http://"+addr+"/"))
		long := "long:" + strings.Repeat("la", 5000)
		for _, want := range []string{"hello from the page", long, "page got echo:hello from the page", "page got echo:" + long} {
			select {
			case got := <-seen:
				if got != want {
					t.Fatalf("the server got %q, want %q", got, want)
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("the page's WebSocket sent no %q", want)
			}
		}
		if offer := <-offers; !strings.Contains(offer, "permessage-deflate") {
			t.Errorf("Chromium offered %q", offer)
		}
		if read := <-longRead; read > 5000 {
			t.Errorf("the server read %d bytes up to a message of %d: not compressed", read, len(long))
		}
	})
}
