//go:build linux

package cluster_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/workerman-go/workerman/internal/nettest"
)

func TestChatWithFourProcessesReachesEveryClient(t *testing.T) {
	const clients = 40
	app := start(t, built(t, "./examples/chat"))
	warm(t, websocket.DefaultDialer, "ws://"+app.addr+"/")
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+app.addr+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
		// Its own "joined": a round trip before the next dial, which lets
		// the kernel hand the next one to another process.
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range conns {
		if err := c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	senders := make([]map[string]bool, clients) // the processes the messages came from, per client
	for i, c := range conns {
		wg.Go(func() {
			got := map[string]bool{}
			senders[i] = map[string]bool{}
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			for len(got) < clients {
				_, b, err := c.ReadMessage()
				if err != nil {
					errs <- fmt.Errorf("client %d after %d of %d messages: %w", i, len(got), clients, err)
					return
				}
				name, text, ok := strings.Cut(string(b), ": ")
				if !ok || !strings.HasPrefix(text, "message ") {
					continue // someone joined or left, or a late probe of warm
				}
				got[text] = true
				senders[i][strings.Split(name, ".")[0]] = true
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !t.Failed() && len(senders[0]) < 2 {
		t.Fatalf("all %d clients sat in one process: the test shows nothing about the cluster", clients)
	}
}

// TestChatOverWSSWithFourProcesses: with CHAT_TLS=1 every process serves
// the one self-signed certificate the master made, so that a client that
// trusts it reaches whichever process accepts it, and a message crosses
// from a client of one process to a client of another over wss.
func TestChatOverWSSWithFourProcesses(t *testing.T) {
	app := start(t, built(t, "./examples/chat"), "CHAT_TLS=1")
	roots := nettest.TrustServed(t, app.addr, "localhost")
	dialer := &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: roots}, HandshakeTimeout: 10 * time.Second}
	url := "wss://" + app.addr + "/"
	warm(t, dialer, url) // each dial checks the certificate of the process it reaches
	// Clients join until two sit in different processes; each learns its
	// name from its own arrival.
	var first *websocket.Conn
	var firstName string
	for i := 0; ; i++ {
		if i == 200 {
			t.Fatal("200 clients in a row sat in one process")
		}
		c, _, err := dialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		name, ok := strings.CutSuffix(string(b), " joined")
		if !ok {
			t.Fatalf("a new client first got %q", b)
		}
		if first == nil {
			first, firstName = c, name
			continue
		}
		if pid := strings.Split(name, ".")[0]; pid == strings.Split(firstName, ".")[0] {
			continue
		}
		if err := c.WriteMessage(websocket.TextMessage, []byte("across processes")); err != nil {
			t.Fatal(err)
		}
		for want := name + ": across processes"; ; {
			_, b, err := first.ReadMessage()
			if err != nil {
				t.Fatalf("%s waiting for %q: %v", firstName, want, err)
			}
			if string(b) == want {
				return
			}
		}
	}
}

// warm dials chat clients at url, one at a time, until two of them have sat
// in different processes (bounded): the children start at their own pace,
// and the first one up would otherwise accept every client of the test.
func warm(t *testing.T, dialer *websocket.Dialer, url string) {
	t.Helper()
	pids := map[string]bool{}
	for i := 0; i < 200 && len(pids) < 2; i++ {
		c, _, err := dialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		probe := fmt.Sprintf("probe %d", i)
		if err := c.WriteMessage(websocket.TextMessage, []byte(probe)); err != nil {
			t.Fatal(err)
		}
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if name, ok := strings.CutSuffix(string(b), ": "+probe); ok {
				pids[strings.Split(name, ".")[0]] = true
				break
			}
		}
		c.Close()
	}
	if len(pids) < 2 {
		t.Fatal("200 clients in a row sat in one process")
	}
}

func TestNotifyDeliversToEveryStreamOfTheUid(t *testing.T) {
	app := start(t, built(t, "./examples/notify"))
	var alice []*sseStream
	for range 8 {
		alice = append(alice, openStream(t, app.addr, "alice"))
	}
	bob := openStream(t, app.addr, "bob")
	for i := range 4 { // each POST lands on whichever process accepts it
		body := fmt.Sprintf("note %d", i)
		resp, err := http.Post("http://"+app.addr+"/notify?uid=alice", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 202 {
			t.Fatalf("POST /notify: %s", resp.Status)
		}
		for _, s := range alice {
			s.expect(t, "notice", body)
		}
	}
	resp, err := http.Post("http://"+app.addr+"/notify?uid=bob", "text/plain", strings.NewReader("for bob"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	bob.expect(t, "notice", "for bob") // and nothing meant for alice before it

	resp, err = http.Post("http://"+app.addr+"/notify?uid=bad%20uid", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("a uid with a space: %s, want 400", resp.Status)
	}
}

// sseStream is one open event stream, read event by event.
type sseStream struct {
	r *bufio.Reader
}

func openStream(t *testing.T, addr, uid string) *sseStream {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/events?uid=" + uid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("GET /events: %s %s", resp.Status, ct)
	}
	s := &sseStream{r: bufio.NewReader(resp.Body)}
	s.expect(t, "ready", uid)
	return s
}

// expect reads the next event and checks its type and data.
func (s *sseStream) expect(t *testing.T, event, data string) {
	t.Helper()
	got := map[string]string{}
	done := make(chan error, 1)
	go func() {
		for {
			line, err := s.r.ReadString('\n')
			if err != nil {
				done <- err
				return
			}
			line = strings.TrimRight(line, "\n")
			if line == "" {
				done <- nil
				return
			}
			k, v, _ := strings.Cut(line, ": ")
			got[k] = v
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	if got["event"] != event || got["data"] != data {
		t.Fatalf("event %q data %q, want %q %q", got["event"], got["data"], event, data)
	}
}
