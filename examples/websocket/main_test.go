//go:build unix

package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	nethttp "net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

var programs nettest.Programs

func TestMain(m *testing.M) { os.Exit(nettest.Run(m, &programs)) }

// TestProgram runs the chat as a user would: over ws, then with CHAT_TLS=1
// over wss with the certificate from TLS_CERT and TLS_KEY, where our own
// client, npm ws and the page in a headless Chromium meet, and with the
// certificate it makes itself.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	nettest.NeedPort(t, "8081")
	bin := programs.Build(t, ".")
	g, err := worker.Start() // the loop our clients run on
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Stop)

	t.Run("ws", func(t *testing.T) {
		nettest.StartProgram(t, bin, "8081")
		if page := get(t, "http://127.0.0.1:8081/", nil); !strings.Contains(page, "<title>Workerman-Go chat</title>") {
			t.Fatalf("the page over http:\n%s", page)
		}
		a, b := join(t, "ws://127.0.0.1:8081/", nil), join(t, "ws://127.0.0.1:8081/", nil)
		a.expect(t, b.name+" joined")
		a.say(t, "over ws")
		b.expect(t, a.name+": over ws")
	})

	t.Run("wss with TLS_CERT and TLS_KEY", func(t *testing.T) {
		certFile, keyFile, roots := nettest.CertFiles(t, "chat.test", "127.0.0.1")
		nettest.StartProgram(t, bin, "8081", "CHAT_TLS=1", "TLS_CERT="+certFile, "TLS_KEY="+keyFile)
		trust := &tls.Config{RootCAs: roots}
		if page := get(t, "https://127.0.0.1:8081/", trust); !strings.Contains(page, "<title>Workerman-Go chat</title>") {
			t.Fatalf("the page over https:\n%s", page)
		}
		own := join(t, "wss://127.0.0.1:8081/", trust)

		t.Run("npm ws", func(t *testing.T) {
			node := nettest.Need(t, "node")
			modules := nettest.NodeModules(t, "ws")
			// It says something once in, and prints every message it gets.
			const script = `const fs = require("fs"), WebSocket = require(process.argv[1] + "/ws");
const ws = new WebSocket(process.argv[2], {ca: fs.readFileSync(process.argv[3])});
ws.on("open", () => ws.send("hello from npm ws"));
ws.on("message", (m) => console.log(String(m)));
ws.on("error", (e) => { console.log("ws error: " + e.message); process.exit(1); });`
			cmd := exec.Command(node, "-e", script, modules, "wss://127.0.0.1:8081/", certFile)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			nettest.Start(t, cmd)
			lines := bufio.NewScanner(out)
			name := own.expectSuffix(t, " joined")
			own.expect(t, name+": hello from npm ws")
			own.say(t, "hello, npm ws")
			for want := own.name + ": hello, npm ws"; ; {
				if !lines.Scan() {
					t.Fatalf("npm ws ended before it got %q: %v", want, lines.Err())
				}
				if lines.Text() == want {
					break
				}
				if strings.HasPrefix(lines.Text(), "ws error") {
					t.Fatal(lines.Text())
				}
			}
		})

		t.Run("the page in Chromium", func(t *testing.T) {
			b := nettest.OpenBrowser(t, "https://127.0.0.1:8081/", "--ignore-certificate-errors")
			// The page came over https and joined over wss.
			page := own.expectSuffix(t, " joined")
			// Typed into its form, as a user would, once its socket is open.
			b.Eval(t, `new Promise(function (done) {
  (function ready() {
    if (ws.readyState !== WebSocket.OPEN) return setTimeout(ready, 10);
    document.getElementById("text").value = "hello from the page";
    document.getElementById("say").requestSubmit();
    done(true);
  })();
})`)
			own.expect(t, page+": hello from the page")
			own.say(t, "hello, page")
			want, _ := json.Marshal(own.name + ": hello, page")
			b.Eval(t, `new Promise(function (done) {
  (function shown() {
    var lines = Array.from(document.getElementById("log").children, function (d) { return d.textContent; });
    if (lines.indexOf(`+string(want)+`) >= 0) return done(true);
    setTimeout(shown, 10);
  })();
})`)
			b.Close()
			own.expect(t, page+" left")
		})
	})

	t.Run("wss with the certificate it makes", func(t *testing.T) {
		nettest.StartProgram(t, bin, "8081", "CHAT_TLS=1")
		roots := nettest.TrustServed(t, "127.0.0.1:8081", "localhost")
		a, b := join(t, "wss://127.0.0.1:8081/", &tls.Config{RootCAs: roots}), join(t, "wss://localhost:8081/", &tls.Config{RootCAs: roots})
		a.expect(t, b.name+" joined")
		b.say(t, "over wss")
		a.expect(t, b.name+": over wss")
	})
}

// get fetches url and returns the body of a 200.
func get(t *testing.T, url string, conf *tls.Config) string {
	t.Helper()
	tr := &nethttp.Transport{TLSClientConfig: conf}
	defer tr.CloseIdleConnections()
	resp, err := (&nethttp.Client{Transport: tr, Timeout: nettest.Timeout}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(b)
}

// chatClient is one of our own WebSocket clients in the room.
type chatClient struct {
	c    *connection.AsyncTcpConnection
	got  chan string // messages, and an "error: " line per error
	name string      // how the room calls it, "#3"
}

// join connects to the chat at url (with conf for wss) and waits for the
// room to announce it; it leaves when the test ends.
func join(t *testing.T, url string, conf *tls.Config) *chatClient {
	t.Helper()
	c, err := connection.NewAsync(url)
	if err != nil {
		t.Fatal(err)
	}
	if conf != nil {
		c.SetTLS(conf)
	}
	cl := &chatClient{c: c, got: make(chan string, 256)}
	closed := make(chan struct{})
	c.OnMessage = func(_ *connection.TcpConnection, data any) { cl.got <- fmt.Sprint(data) }
	c.OnError = func(_ *connection.TcpConnection, code int, msg string) { cl.got <- "error: " + msg }
	c.OnClose = func(*connection.TcpConnection) { close(closed) }
	c.Connect()
	t.Cleanup(func() { c.Destroy(); <-closed })
	cl.name = cl.expectSuffix(t, " joined") // its own arrival comes first
	return cl
}

// say sends text to the room.
func (cl *chatClient) say(t *testing.T, text string) {
	t.Helper()
	if err := cl.c.Send(text); err != nil {
		t.Fatal(err)
	}
}

// expect reads messages until want; the others (other clients coming and
// going) are passed over.
func (cl *chatClient) expect(t *testing.T, want string) {
	t.Helper()
	cl.until(t, want, func(m string) bool { return m == want })
}

// expectSuffix reads messages until one that ends with suffix and returns
// what comes before it.
func (cl *chatClient) expectSuffix(t *testing.T, suffix string) string {
	t.Helper()
	return strings.TrimSuffix(cl.until(t, "..."+suffix, func(m string) bool { return strings.HasSuffix(m, suffix) }), suffix)
}

// until reads messages until one that match accepts, and returns it.
func (cl *chatClient) until(t *testing.T, what string, match func(string) bool) string {
	t.Helper()
	var passed []string
	timeout := time.After(nettest.Timeout)
	for {
		select {
		case m := <-cl.got:
			if match(m) {
				return m
			}
			passed = append(passed, m)
		case <-timeout:
			t.Fatalf("%s never got %q; it got %q", cl.name, what, passed)
		}
	}
}
