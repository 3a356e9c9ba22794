package websocket_test

import (
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

func TestMessagesEchoOverRawSockets(t *testing.T) {
	long := strings.Repeat("0123456789", 7000) // a 64-bit length
	nettest.Backends(t, func(t *testing.T) {
		p := open(t, serveWS(t, nil))
		for _, tc := range []struct {
			name    string
			frames  []frame // what the client sends
			want    []frame // what the server answers
			comment string
		}{
			{"a text message comes back as text", []frame{{0x81, "héllo"}}, []frame{{0x81, "héllo"}}, ""},
			{"a binary message comes back as binary", []frame{{0x82, "\x00\x01\xff"}}, []frame{{0x82, "\x00\x01\xff"}}, ""},
			{"an empty text message comes back empty", []frame{{0x81, ""}}, []frame{{0x81, ""}}, ""},
			{"a 16-bit length is read and written", []frame{{0x81, long[:300]}}, []frame{{0x81, long[:300]}}, ""},
			{"a 64-bit length is read and written", []frame{{0x82, long}}, []frame{{0x82, long}}, ""},
			{"a ping is answered with a pong of the same payload", []frame{{0x89, "are you there"}}, []frame{{0x8A, "are you there"}}, ""},
			{"a pong is not answered", []frame{{0x8A, "unsolicited"}, {0x81, "after"}}, []frame{{0x81, "after"}}, ""},
			{"fragments are reassembled into one message, pings answered between them",
				[]frame{{0x01, "frag"}, {0x89, "p"}, {0x00, "men"}, {0x80, "ted"}}, []frame{{0x8A, "p"}, {0x81, "fragmented"}}, ""},
			{"a repeated text message is delivered again", []frame{{0x81, "tick"}, {0x81, "tick"}}, []frame{{0x81, "tick"}, {0x81, "tick"}}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, f := range tc.frames {
					p.send(f.first, f.payload)
				}
				for _, w := range tc.want {
					if got := p.read(); got != w {
						t.Fatalf("got frame %#x %.40q, want %#x %.40q", got.first, got.payload, w.first, w.payload)
					}
				}
			})
		}
	})
}

func TestBrokenRulesCloseWithTheirCode(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveWS(t, nil, func(w *worker.Worker) { w.MaxPackageSize = 1000 })
		for _, tc := range []struct {
			name  string
			frame []byte
			code  int
		}{
			{"an unmasked frame closes with 1002", clientFrame(0x81, []byte("hi"), [4]byte{}), 1002},
			{"text that is not UTF-8 closes with 1007", clientFrame(0x81, []byte("\xff\xfe"), [4]byte{1, 2, 3, 4}), 1007},
			{"a frame over MaxPackageSize closes with 1009", clientFrame(0x82, make([]byte, 1001), [4]byte{1, 2, 3, 4}), 1009},
			{"a fragmented control frame closes with 1002", clientFrame(0x09, []byte("p"), [4]byte{1, 2, 3, 4}), 1002},
			{"a control frame over 125 bytes closes with 1002", clientFrame(0x89, make([]byte, 126), [4]byte{1, 2, 3, 4}), 1002},
			{"an RSV bit with no extension closes with 1002", clientFrame(0xC1, []byte("x"), [4]byte{1, 2, 3, 4}), 1002},
			{"an unknown opcode closes with 1002", clientFrame(0x83, []byte("x"), [4]byte{1, 2, 3, 4}), 1002},
			{"a continuation with nothing to continue closes with 1002", clientFrame(0x80, []byte("x"), [4]byte{1, 2, 3, 4}), 1002},
			{"fragments that add up past MaxPackageSize close with 1009",
				append(clientFrame(0x02, make([]byte, 600), [4]byte{1, 2, 3, 4}), clientFrame(0x80, make([]byte, 600), [4]byte{1, 2, 3, 4})...), 1009},
			{"a close code no one may send closes with 1002", clientFrame(0x88, []byte{0x03, 0xED}, [4]byte{1, 2, 3, 4}), 1002},
			{"a one-byte close payload closes with 1002", clientFrame(0x88, []byte{0x03}, [4]byte{1, 2, 3, 4}), 1002},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := open(t, addr)
				p.Write(tc.frame)
				f := p.read()
				if f.op() != 8 || f.closeCode() != tc.code {
					t.Fatalf("got frame %#x %q, want a Close frame with %d", f.first, f.payload, tc.code)
				}
				p.expectEOF()
			})
		}
	})
}

func TestCloseHandshake(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		frames := make(chan [2]any, 4)
		addr := serveWS(t, &websocket.Protocol{
			OnCloseFrame: func(c protocols.Conn, code int, reason string) { frames <- [2]any{code, reason} },
		}, func(w *worker.Worker) {
			w.OnMessage = func(c *connection.TcpConnection, data any) {
				if data == "close me" {
					websocket.Close(c, 4000, "as asked")
				}
			}
		})
		t.Run("the peer's code is echoed and the connection closes", func(t *testing.T) {
			p := open(t, addr)
			p.send(0x88, "\x0f\xa1going")
			if f := p.read(); f != (frame{0x88, "\x0f\xa1"}) {
				t.Fatalf("got %#x %q, want a Close frame with 4001", f.first, f.payload)
			}
			p.expectEOF()
			if got := <-frames; got != [2]any{4001, "going"} {
				t.Fatalf("OnCloseFrame got %v", got)
			}
		})
		t.Run("an empty Close frame is answered with an empty one", func(t *testing.T) {
			p := open(t, addr)
			p.send(0x88, "")
			if f := p.read(); f != (frame{0x88, ""}) {
				t.Fatalf("got %#x %q, want an empty Close frame", f.first, f.payload)
			}
			p.expectEOF()
			if got := <-frames; got != [2]any{websocket.CloseNoStatus, ""} {
				t.Fatalf("OnCloseFrame got %v", got)
			}
		})
		t.Run("Close sends its code and closes when the peer answers", func(t *testing.T) {
			p := open(t, addr)
			p.send(0x81, "close me")
			if f := p.read(); f != (frame{0x88, "\x0f\xa0as asked"}) {
				t.Fatalf("got %#x %q, want a Close frame with 4000", f.first, f.payload)
			}
			p.send(0x81, "dropped: the server is closing")
			p.send(0x88, "\x0f\xa0")
			p.expectEOF()
			<-frames
		})
	})
}

func TestHandshakeRefusals(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		addr := serveWS(t, nil)
		for _, tc := range []struct {
			name, request, status, header string
		}{
			{"a version other than 13 gets 426 naming 13",
				strings.Replace(handshakeRequest(""), "Version: 13", "Version: 8", 1), "HTTP/1.1 426 Upgrade Required", "Sec-WebSocket-Version: 13"},
			{"a missing version gets 400 naming 13",
				strings.Replace(handshakeRequest(""), "Sec-WebSocket-Version: 13\r\n", "", 1), "HTTP/1.1 400 Bad Request", "Sec-WebSocket-Version: 13"},
			{"a key that is not 16 bytes gets 400",
				strings.Replace(handshakeRequest(""), sampleKey, "c2hvcnQ=", 1), "HTTP/1.1 400 Bad Request", ""},
			{"a request without Connection: Upgrade gets 400",
				strings.Replace(handshakeRequest(""), "Connection: Upgrade", "Connection: keep-alive", 1), "HTTP/1.1 400 Bad Request", ""},
			{"a plain GET gets 400", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request", ""},
			{"a POST handshake gets 400",
				strings.Replace(handshakeRequest(""), "GET", "POST", 1), "HTTP/1.1 400 Bad Request", ""},
			{"a head over the limit gets 431",
				handshakeRequest("X-Big: " + strings.Repeat("a", 17000) + "\r\n"), "HTTP/1.1 431 Request Header Fields Too Large", ""},
			{"bytes that are not HTTP get 400", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", "HTTP/1.1 400 Bad Request", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := dialRaw(t, addr)
				p.Write([]byte(tc.request))
				status, head := p.readHead()
				if status != tc.status || !strings.Contains(head, tc.header) {
					t.Fatalf("got %q\n%s\nwant %q with %q", status, head, tc.status, tc.header)
				}
			})
		}
	})
}

func TestHandshakeCallbacks(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		order := make(chan string, 8)
		addr := serveWS(t, &websocket.Protocol{
			OnWebSocketConnect: func(c protocols.Conn, req *http.Request, h *websocket.Handshake) {
				order <- "connect " + req.URI()
				switch req.Get("mode") {
				case "reject":
					h.Reject = http.NewResponse(403, nil, "go away")
				case "close":
					c.Close()
				case "shape":
					h.Header = http.Header{"X-Room": "7", "X-Bad": "a\r\nInjected: yes"}
					h.Subprotocol = websocket.Subprotocols(req)[1]
					c.Send("sent from OnWebSocketConnect")
				}
			},
			OnWebSocketConnected: func(c protocols.Conn, req *http.Request) {
				order <- "connected " + req.Path()
				c.Send("sent from OnWebSocketConnected")
			},
			OnRequest: func(c protocols.Conn, req *http.Request) *http.Response {
				if req.Path() == "/" {
					return http.NewResponse(200, nil, "<h1>page</h1>")
				}
				return nil
			},
		}, func(w *worker.Worker) {
			w.OnConnect = func(c *connection.TcpConnection) { c.Send("sent from OnConnect") }
		})
		request := func(target, extra string) string {
			return strings.Replace(handshakeRequest(extra), "/chat", target, 1)
		}

		t.Run("sends made before the 101 follow it in order", func(t *testing.T) {
			p := dialRaw(t, addr)
			p.Write([]byte(request("/room?mode=shape", "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n")))
			status, head := p.readHead()
			if status != "HTTP/1.1 101 Switching Protocols" {
				t.Fatalf("status %q", status)
			}
			for _, want := range []string{"Sec-WebSocket-Protocol: chat.v2\r\n", "X-Room: 7\r\n"} {
				if !strings.Contains(head, want) {
					t.Errorf("101 head lacks %q:\n%s", want, head)
				}
			}
			if strings.Contains(head, "Injected") || strings.Contains(head, "X-Bad") {
				t.Errorf("a header with CRLF reached the wire:\n%s", head)
			}
			for _, want := range []string{"sent from OnConnect", "sent from OnWebSocketConnect", "sent from OnWebSocketConnected"} {
				if f := p.read(); f != (frame{0x81, want}) {
					t.Fatalf("got %#x %q, want %q", f.first, f.payload, want)
				}
			}
			if a, b := <-order, <-order; a != "connect /room?mode=shape" || b != "connected /room" {
				t.Fatalf("callbacks ran as %q, %q", a, b)
			}
		})
		t.Run("a rejection is sent instead of the 101", func(t *testing.T) {
			p := dialRaw(t, addr)
			p.Write([]byte(request("/?mode=reject", "")))
			if status, _ := p.readHead(); status != "HTTP/1.1 403 Forbidden" {
				t.Fatalf("status %q", status)
			}
			<-order
		})
		t.Run("closing in OnWebSocketConnect sends nothing", func(t *testing.T) {
			p := dialRaw(t, addr)
			p.Write([]byte(request("/?mode=close", "")))
			p.expectEOF()
			<-order
		})
		t.Run("a plain request is answered by OnRequest", func(t *testing.T) {
			p := dialRaw(t, addr)
			p.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n"))
			status, head := p.readHead()
			if status != "HTTP/1.1 200 OK" || !strings.Contains(head, "Content-Length: 13") {
				t.Fatalf("got %q\n%s", status, head)
			}
			if body := nettest.ReadN(t, p.r, 13); body != "<h1>page</h1>" {
				t.Fatalf("body %q", body)
			}
			p.expectEOF()
		})
		t.Run("a plain request OnRequest declines gets 404", func(t *testing.T) {
			p := dialRaw(t, addr)
			p.Write([]byte("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n"))
			if status, _ := p.readHead(); status != "HTTP/1.1 404 Not Found" {
				t.Fatalf("status %q", status)
			}
		})
	})
}

func TestServerPings(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		pongs := make(chan string, 4)
		addr := serveWS(t, &websocket.Protocol{
			OnPong:       func(c protocols.Conn, payload []byte) { pongs <- string(payload) },
			PingInterval: 20 * time.Millisecond,
		}, func(w *worker.Worker) {
			w.OnMessage = func(c *connection.TcpConnection, data any) {
				if err := websocket.Ping(c, []byte(data.(string))); err != nil {
					t.Error(err)
				}
			}
		})
		t.Run("Ping sends an unmasked ping and OnPong sees the answer", func(t *testing.T) {
			p := open(t, addr)
			p.send(0x81, "beat")
			for {
				f := p.read()
				if f.op() != 9 {
					t.Fatalf("got %#x %q, want a ping", f.first, f.payload)
				}
				p.send(0x8A, f.payload)
				if f.payload == "beat" {
					break
				}
			}
			for got := range pongs {
				if got == "beat" {
					break
				}
			}
		})
		t.Run("a peer that never answers the keep-alive is closed with 1001", func(t *testing.T) {
			p := open(t, addr)
			for {
				f := p.read()
				if f.op() == 8 {
					if f.closeCode() != websocket.CloseGoingAway {
						t.Fatalf("closed with %d, want 1001", f.closeCode())
					}
					break
				}
				if f.op() != 9 {
					t.Fatalf("got %#x %q, want pings then a Close frame", f.first, f.payload)
				}
			}
			p.expectEOF()
		})
	})
}
