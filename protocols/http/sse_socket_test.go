package http_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// The seed's bytes, as Workerman 5.2.2 puts them on the wire.
const (
	seedOK    = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok"
	seedHead  = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n"
	seedEvent = "event: message\nid: 1\ndata: hello\n\n"
)

// serve starts an HTTP worker with onMessage on a free port and returns its
// address; setup adjusts the worker before it starts.
func serve(t *testing.T, onMessage func(c *connection.TcpConnection, data any), setup ...func(w *worker.Worker)) string {
	t.Helper()
	w := worker.New("http://127.0.0.1:0")
	w.OnMessage = onMessage
	for _, f := range setup {
		f(w)
	}
	return nettest.Serve(t, w)
}

// seed is the seed program's OnMessage with its timer interval as a
// parameter; live counts its timers that have not deleted themselves.
func seed(every time.Duration, live *atomic.Int64) func(c *connection.TcpConnection, data any) {
	return func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Header("accept") == "text/event-stream" {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			var id timer.ID
			live.Add(1)
			id = timer.Add(every, func() {
				if c.Status() != connection.StatusEstablished {
					timer.Del(id)
					live.Add(-1)
					return
				}
				c.Send(&http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"})
			})
			return
		}
		c.Send("ok")
	}
}

const curlGET = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
const curlSSE = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: text/event-stream\r\n\r\n"

func TestSeedBytesOnRawSocket(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		var live atomic.Int64
		before := timer.Count()
		addr := serve(t, seed(20*time.Millisecond, &live))

		plain := nettest.Dial(t, addr)
		plain.Write([]byte(curlGET))
		if got := nettest.ReadN(t, plain, len(seedOK)); got != seedOK {
			t.Fatalf("plain request:\n got %q\nwant %q", got, seedOK)
		}

		sse := nettest.Dial(t, addr)
		sse.Write([]byte(curlSSE))
		if got := nettest.ReadN(t, sse, len(seedHead)); got != seedHead {
			t.Fatalf("event-stream head:\n got %q\nwant %q", got, seedHead)
		}
		for i := 0; i < 2; i++ {
			if got := nettest.ReadN(t, sse, len(seedEvent)); got != seedEvent {
				t.Fatalf("event %d:\n got %q\nwant %q", i, got, seedEvent)
			}
		}
		plain.Close()
		sse.Close()
		nettest.Eventually(t, "the seed's timer deletes itself once its client left", func() bool { return live.Load() == 0 })
		nettest.Eventually(t, "the timer count is back where it was", func() bool { return timer.Count() == before })
	})
}

func TestHeartbeatStopsWithItsConnection(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		before := timer.Count()
		addr := serve(t, func(c *connection.TcpConnection, data any) {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
			http.Heartbeat(c, 10*time.Millisecond)
		})
		c := nettest.Dial(t, addr)
		c.Write([]byte(curlSSE))
		if got := nettest.ReadN(t, c, len(seedHead)); got != seedHead {
			t.Fatalf("head %q", got)
		}
		const beat = ": keep-alive\n\n"
		for i := 0; i < 3; i++ {
			if got := nettest.ReadN(t, c, len(beat)); got != beat {
				t.Fatalf("heartbeat %d: %q", i, got)
			}
		}
		c.Close()
		nettest.Eventually(t, "the heartbeat stops once its connection closed", func() bool { return timer.Count() == before })
	})
}

func TestLastEventIDReachesTheApplication(t *testing.T) {
	got := make(chan string, 1)
	addr := serve(t, func(c *connection.TcpConnection, data any) {
		got <- data.(*http.Request).Header("Last-Event-ID")
		c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
	})
	c := nettest.Dial(t, addr)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nLast-Event-ID: 41\r\n\r\n"))
	if id := <-got; id != "41" {
		t.Fatalf("Last-Event-ID %q", id)
	}
}

func TestChunkedResponseWithNetHTTPClient(t *testing.T) {
	addr := serve(t, func(c *connection.TcpConnection, data any) {
		c.Send(http.NewResponse(200, http.Header{"Transfer-Encoding": "chunked"}, "hello "))
		c.Send(http.NewChunk("chunked "))
		c.Send(http.NewChunk("world"))
		c.Send(http.NewChunk(""))
	})
	client := &nethttp.Client{Timeout: 30 * time.Second}
	for i := 0; i < 3; i++ { // the same keep-alive connection, response after response
		resp, err := client.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "hello chunked world" || resp.TransferEncoding[0] != "chunked" {
			t.Fatalf("request %d: %q, %v, transfer encoding %v", i, body, err, resp.TransferEncoding)
		}
	}
}

func TestSeedWithCurl(t *testing.T) {
	curl := nettest.Need(t, "curl")
	var live atomic.Int64
	before := timer.Count()
	addr := serve(t, seed(20*time.Millisecond, &live))

	out, err := exec.Command(curl, "-s", "--max-time", "30", "http://"+addr+"/").Output()
	if err != nil || string(out) != "ok" {
		t.Fatalf("curl plain: %q, %v", out, err)
	}

	cmd := exec.Command(curl, "-s", "-N", "-i", "--max-time", "60", "-H", "Accept: text/event-stream", "http://"+addr+"/")
	stdout, _ := cmd.StdoutPipe()
	stopCurl := nettest.Start(t, cmd)
	r := bufio.NewReader(stdout)
	want := seedHead + seedEvent + seedEvent
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("curl -N: %v after %q", err, got)
	}
	if string(got) != want {
		t.Fatalf("curl -N -i:\n got %q\nwant %q", got, want)
	}
	stopCurl()
	nettest.Eventually(t, "the timer count is back once curl left", func() bool { return live.Load() == 0 && timer.Count() == before })
}

func TestSeedWithNodeEventSource(t *testing.T) {
	node := nettest.Need(t, "node")
	script := filepath.Join(nettest.ModuleRoot(t), ".ci", "node", "sse_client.mjs")
	nettest.NodeModules(t, "eventsource")
	var live atomic.Int64
	before := timer.Count()
	addr := serve(t, seed(20*time.Millisecond, &live))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, script, "http://"+addr+"/", "2").Output()
	if err != nil {
		t.Fatalf("node eventsource: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 messages, got %q", out)
	}
	for _, l := range lines {
		var m struct{ Type, Data, LastEventID string }
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if m.Type != "message" || m.Data != "hello" || m.LastEventID != "1" {
			t.Fatalf("message %+v, want type message, data hello, lastEventId 1", m)
		}
	}
	nettest.Eventually(t, "the timer count is back once the EventSource left", func() bool { return live.Load() == 0 && timer.Count() == before })
}

func TestSeedInChromium(t *testing.T) {
	nettest.Chromium(t) // skips at once when it is missing
	page, err := os.ReadFile(filepath.Join(nettest.ModuleRoot(t), "examples", "sse", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	// The test's copy of the page reports each message back to the server.
	page = bytes.Replace(page, []byte("</body>"), []byte(`<script>
source.addEventListener("message", function (e) {
  fetch("/report?data=" + encodeURIComponent(e.data) + "&id=" + encodeURIComponent(e.lastEventId));
});
</script>
</body>`), 1)
	if !bytes.Contains(page, []byte("/report")) {
		t.Fatal("index.html has no </body>")
	}

	var live atomic.Int64
	before := timer.Count()
	reports := make(chan [2]string, 16)
	sseSeed := seed(20*time.Millisecond, &live)
	addr := serve(t, func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		switch {
		case req.Path() == "/report":
			reports <- [2]string{req.Get("data"), req.Get("id")}
			c.Send("ok")
		case req.Path() == "/" && strings.Contains(req.Header("Accept"), "text/html"):
			c.Send(string(page))
		default:
			sseSeed(c, data)
		}
	})

	stopBrowser := nettest.Start(t, nettest.ChromiumCommand(t, "http://"+addr+"/"))
	select {
	case r := <-reports:
		if r != [2]string{"hello", "1"} {
			t.Fatalf("the page saw data %q with lastEventId %q, want hello and 1", r[0], r[1])
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no message reached the page's EventSource")
	}
	stopBrowser()
	nettest.Eventually(t, "the timer count is back once the browser left", func() bool { return live.Load() == 0 && timer.Count() == before })
}
