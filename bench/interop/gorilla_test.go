package interop

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols"
	wmhttp "github.com/workerman-go/workerman/protocols/http"
	wmws "github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

const timeout = 30 * time.Second

var long = strings.Repeat("gorilla and workerman, compressed; ", 60)

func serve(t *testing.T, w *worker.Worker) string {
	t.Helper()
	g, err := worker.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Stop)
	return w.Addr().String()
}

// TestGorillaClientCompressed: gorilla's client with EnableCompression
// against the server, which compresses from its threshold up.
func TestGorillaClientCompressed(t *testing.T) {
	w := worker.New("websocket://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
	addr := serve(t, w)
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: timeout}
	conn, resp, err := d.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "permessage-deflate; server_no_context_takeover; client_no_context_takeover" {
		t.Fatalf("the server answered %q", ext)
	}
	conn.SetReadDeadline(time.Now().Add(timeout))
	for _, msg := range []string{long, "short", long} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		typ, got, err := conn.ReadMessage()
		if err != nil || typ != websocket.TextMessage || string(got) != msg {
			t.Fatalf("echo: %d %q %v", typ, got, err)
		}
	}
}

// TestGorillaClientFragmentedCompressed: gorilla's client writes a long
// message as compressed frames of its write buffer's size. The server
// inflates them as they come: a message of multi-byte runes is whole again,
// and one that starts with a byte no UTF-8 has is refused with 1007 while
// gorilla is still writing it.
func TestGorillaClientFragmentedCompressed(t *testing.T) {
	w := worker.New("websocket://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) { c.Send(data) }
	addr := serve(t, w)
	d := websocket.Dialer{EnableCompression: true, HandshakeTimeout: timeout, WriteBufferSize: 1024}
	conn, _, err := d.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(timeout))
	var b strings.Builder
	for i := 0; b.Len() < 256<<10; i++ {
		fmt.Fprintf(&b, "%d: héllo, wörld € 𝄞 %x; ", i, i*i)
	}
	runes := b.String()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(runes)); err != nil {
		t.Fatal(err)
	}
	if typ, got, err := conn.ReadMessage(); err != nil || typ != websocket.TextMessage || string(got) != runes {
		t.Fatalf("echo: %d, %d bytes, %v", typ, len(got), err)
	}

	mw, err := conn.NextWriter(websocket.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	mw.Write([]byte("\xff"))
	mw.Write([]byte(runes)) // many times the write buffer: frames go out, the last waits
	_, _, err = conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseInvalidFramePayloadData) {
		t.Fatalf("reading while the message is unfinished: %v, want a Close frame with 1007", err)
	}
}

// TestClientAgainstGorillaServer: the ws:// and wss:// client against
// gorilla's server with EnableCompression, which keeps no context and
// compresses every message it writes; over wss, behind crypto/tls.
func TestClientAgainstGorillaServer(t *testing.T) {
	serve(t, worker.New("tcp://127.0.0.1:0")) // a worker, for the loop the clients run on
	for _, scheme := range []string{"ws", "wss"} {
		t.Run(scheme, func(t *testing.T) {
			up := websocket.Upgrader{EnableCompression: true}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var trust *tls.Config
			if scheme == "wss" {
				conf, err := worker.SelfSignedTLS("127.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				leaf, err := x509.ParseCertificate(conf.Certificates[0].Certificate[0])
				if err != nil {
					t.Fatal(err)
				}
				trust = &tls.Config{RootCAs: x509.NewCertPool()}
				trust.RootCAs.AddCert(leaf)
				ln = tls.NewListener(ln, conf)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				conn, err := up.Upgrade(rw, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
				for {
					typ, msg, err := conn.ReadMessage()
					if err != nil {
						return
					}
					conn.WriteMessage(typ, msg)
				}
			})}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })

			answers := make(chan string, 1)
			got := make(chan any, 3)
			closed := make(chan struct{})
			c, err := connection.NewAsync(scheme + "://" + ln.Addr().String() + "/")
			if err != nil {
				t.Fatal(err)
			}
			if trust != nil {
				c.SetTLS(trust)
			}
			c.SetProtocol(&wmws.Client{
				OnWebSocketConnect: func(c protocols.Conn, resp *wmhttp.Response) {
					answers <- resp.Header("Sec-WebSocket-Extensions")
				},
			})
			c.OnMessage = func(c *connection.TcpConnection, data any) { got <- data }
			c.OnClose = func(*connection.TcpConnection) { close(closed) }
			c.OnError = func(c *connection.TcpConnection, code int, msg string) { t.Errorf("error %d: %s", code, msg) }
			c.Connect()
			t.Cleanup(func() { c.Destroy(); <-closed })
			select {
			case ext := <-answers:
				if !strings.HasPrefix(ext, "permessage-deflate") {
					t.Fatalf("gorilla answered %q", ext)
				}
			case <-closed:
				t.Fatal("the connection closed before its handshake")
			}
			msgs := []any{long, []byte(long), "short"}
			for _, m := range msgs {
				c.Send(m)
			}
			for _, want := range msgs {
				select {
				case m := <-got:
					if b, ok := want.([]byte); ok {
						if mb, ok := m.([]byte); !ok || !bytes.Equal(mb, b) {
							t.Fatalf("got %v, want the bytes sent", m)
						}
					} else if m != want {
						t.Fatalf("got %q, want %q", m, want)
					}
				case <-closed:
					t.Fatal("the connection closed")
				}
			}
			if scheme == "ws" { // over wss, the handshake's bytes are counted too
				if read := c.BytesRead(); read > int64(len(long)) {
					t.Fatalf("read %d bytes for %d of messages: not compressed", read, 2*len(long))
				}
			}
		})
	}
}
