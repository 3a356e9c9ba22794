package websocket_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
)

var clientSchemes atomic.Int32

// echoThrough connects a Client with cz to the WebSocket server at addr,
// sends msgs and returns what came back, the Sec-WebSocket-Extensions the
// server answered with, and the bytes the client read after the handshake.
func echoThrough(t *testing.T, addr string, cz websocket.Compression, msgs []any) (got []any, answer string, read int64) {
	t.Helper()
	scheme := fmt.Sprintf("wsz%d", clientSchemes.Add(1))
	answers := make(chan string, 1)
	var headRead int64
	if err := protocols.Register(scheme, &websocket.Client{
		Compression: cz,
		OnWebSocketConnect: func(c protocols.Conn, resp *http.Response) {
			headRead = c.(*connection.TcpConnection).BytesRead()
			answers <- resp.Header("Sec-WebSocket-Extensions")
		},
	}); err != nil {
		t.Fatal(err)
	}
	echoes := make(chan any, len(msgs))
	closed := make(chan struct{})
	c, err := connection.NewAsync(scheme + "://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.OnMessage = func(c *connection.TcpConnection, data any) { echoes <- data }
	c.OnClose = func(*connection.TcpConnection) { close(closed) }
	c.Connect()
	t.Cleanup(func() { c.Destroy(); <-closed })
	select {
	case answer = <-answers:
	case <-closed:
		t.Fatal("the connection closed during the handshake")
	}
	for _, m := range msgs {
		c.Send(m)
	}
	for range msgs {
		select {
		case m := <-echoes:
			got = append(got, m)
		case <-closed:
			t.Fatalf("the connection closed after %d echoes", len(got))
		}
	}
	return got, answer, c.BytesRead() - headRead
}

// deflateMessages are what the client tests echo: a long text sent three
// times (which context takeover shrinks to almost nothing after the first),
// a long binary, a long text of multi-byte runes (its middle byte inside
// one), a short text.
func deflateMessages() []any {
	long := strings.Repeat("a long message, said again and again; ", 50)
	return []any{long, long, long, bytes.Repeat([]byte("binary "), 300), "𝄞" + strings.Repeat("héllo, wörld € 𝄞; ", 41), "short"}
}

func checkEchoes(t *testing.T, got []any) {
	t.Helper()
	for i, want := range deflateMessages() {
		if b, ok := want.([]byte); ok {
			if g, ok := got[i].([]byte); !ok || !bytes.Equal(g, b) {
				t.Fatalf("echo %d: got %T of %d bytes, want the %d bytes sent", i, got[i], len(g), len(b))
			}
		} else if got[i] != want {
			t.Fatalf("echo %d: got %q, want %q", i, got[i], want)
		}
	}
}

func rawSize(msgs []any) (n int64) {
	for _, m := range msgs {
		switch x := m.(type) {
		case string:
			n += int64(len(x))
		case []byte:
			n += int64(len(x))
		}
	}
	return n
}

func TestOwnClientDeflate(t *testing.T) {
	takeover := websocket.Compression{ContextTakeover: true}
	for _, tc := range []struct {
		name           string
		client, server websocket.Compression
		answer         string
	}{
		{"both by default: no context kept", websocket.Compression{}, websocket.Compression{}, answerNoCtx},
		{"both keeping context", takeover, takeover, "permessage-deflate"},
		{"a client keeping context, a server that keeps none", takeover, websocket.Compression{}, answerNoCtx},
		{"a client keeping none, a server that would", websocket.Compression{}, takeover,
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"a server with compression off", websocket.Compression{}, websocket.Compression{Disable: true}, ""},
		{"a client with compression off", websocket.Compression{Disable: true}, websocket.Compression{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveWS(t, &websocket.Protocol{Compression: tc.server})
			msgs := deflateMessages()
			got, answer, read := echoThrough(t, addr, tc.client, msgs)
			if answer != tc.answer {
				t.Fatalf("server answered %q, want %q", answer, tc.answer)
			}
			checkEchoes(t, got)
			if compressed := read < rawSize(msgs)/4; compressed != (answer != "") {
				t.Fatalf("read %d bytes for %d of messages with extensions %q", read, rawSize(msgs), answer)
			}
		})
	}
}

// TestOwnClientDeflateAgainstNodeWs: the client against npm ws's server,
// which compresses every message with zlib, keeps its context unless asked
// not to, and sends each echo in two fragments that the client inflates as
// they come.
func TestOwnClientDeflateAgainstNodeWs(t *testing.T) {
	node := nettest.Need(t, "node")
	modules := nettest.NodeModules(t, "ws")
	for _, tc := range []struct {
		name   string
		client websocket.Compression
		answer string
	}{
		{"keeping no context", websocket.Compression{}, answerNoCtx},
		{"keeping context", websocket.Compression{ContextTakeover: true}, "permessage-deflate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serveWS(t, nil) // a worker, for the loop that the client runs on
			cmd := exec.Command(node, filepath.Join(modules, "..", "ws_echo_server.mjs"))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			nettest.Start(t, cmd)
			port, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				t.Fatalf("the ws server printed no port: %v", err)
			}
			msgs := deflateMessages()
			got, answer, read := echoThrough(t, "127.0.0.1:"+strings.TrimSpace(port), tc.client, msgs)
			if answer != tc.answer {
				t.Fatalf("ws answered %q, want %q", answer, tc.answer)
			}
			checkEchoes(t, got)
			if read > rawSize(msgs)/4 {
				t.Fatalf("read %d bytes for %d of messages", read, rawSize(msgs))
			}
		})
	}
}
