package websocket_test

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

const (
	offerPlain   = "permessage-deflate; client_max_window_bits" // what browsers and npm ws offer
	answerNoCtx  = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
	maskedKey    = "\x12\x34\x56\x78"
	inflaterTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"
)

// compressor compresses messages as a peer does, keeping its context from
// one message to the next when keep is set.
type compressor struct {
	keep bool
	buf  bytes.Buffer
	w    *flate.Writer
}

func (z *compressor) msg(s string) []byte {
	if z.w == nil || !z.keep {
		z.w, _ = flate.NewWriter(&z.buf, flate.DefaultCompression)
	}
	z.buf.Reset()
	z.w.Write([]byte(s))
	z.w.Flush()
	return bytes.TrimSuffix(z.buf.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// deflated is s compressed alone.
func deflated(s string) []byte { return (&compressor{}).msg(s) }

// decompressor inflates the server's messages, with the last window as
// dictionary when keep is set.
type decompressor struct {
	keep bool
	dict []byte
}

func (d *decompressor) msg(t *testing.T, p string) string {
	t.Helper()
	var dict []byte
	if d.keep {
		dict = d.dict
	}
	b, err := io.ReadAll(flate.NewReaderDict(strings.NewReader(p+inflaterTail), dict))
	if err != nil {
		t.Fatalf("the server's compressed message does not inflate: %v", err)
	}
	d.dict = append(d.dict, b...)
	if len(d.dict) > 32<<10 {
		d.dict = d.dict[len(d.dict)-32<<10:]
	}
	return string(b)
}

// openOffering dials and handshakes with offer as Sec-WebSocket-Extensions;
// it returns the extensions the server answered with.
func openOffering(t *testing.T, addr, offer string) (*peer, string) {
	t.Helper()
	p := dialRaw(t, addr)
	extra := ""
	if offer != "" {
		extra = "Sec-WebSocket-Extensions: " + offer + "\r\n"
	}
	p.Write([]byte(handshakeRequest(extra)))
	status, head := p.readHead()
	if !strings.HasPrefix(status, "HTTP/1.1 101 ") {
		t.Fatalf("handshake answered with %q\n%s", status, head)
	}
	for _, line := range strings.Split(head, "\r\n") {
		if name, value, _ := strings.Cut(line, ": "); strings.EqualFold(name, "Sec-WebSocket-Extensions") {
			return p, value
		}
	}
	return p, ""
}

// want is a frame the server must send: a message (compressed or not), a
// pong, or a Close frame with its code.
type want struct {
	first      byte // FIN, RSV1, opcode
	payload    string
	closeCode  int
	compressed bool
}

func text(s string) want           { return want{first: 0x81, payload: s} }
func compressedText(s string) want { return want{first: 0xC1, payload: s, compressed: true} }
func closed(code int) want         { return want{first: 0x88, closeCode: code} }

func TestDeflate(t *testing.T) {
	short := strings.Repeat("ab", 50)
	long := strings.Repeat("the quick brown fox jumps over the lazy dog; ", 40)
	parts := func(b []byte) [3][]byte { n := len(b) / 3; return [3][]byte{b[:n], b[n : 2*n], b[2*n:]} }
	zlong := parts(deflated(long))
	mask := [4]byte([]byte(maskedKey))
	frame := func(first byte, p []byte) []byte { return clientFrame(first, p, mask) }
	bomb := deflated(strings.Repeat("\x00", 4<<20))
	if len(bomb) > 60000 {
		t.Fatalf("the bomb is %d bytes compressed, over the limit already", len(bomb))
	}
	takeover := &compressor{keep: true}
	for _, tc := range []struct {
		name   string
		proto  *websocket.Protocol
		offer  string
		answer string
		keep   bool // the server keeps its context: inflate its messages with the last window
		send   [][]byte
		want   []want
	}{
		{"a compressed text message is echoed compressed", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC1, deflated(long))}, []want{compressedText(long)}},
		{"a compressed binary message is echoed compressed", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC2, deflated(long))}, []want{{first: 0xC2, payload: long, compressed: true}}},
		{"a message under the threshold is echoed uncompressed", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC1, deflated("hi"))}, []want{text("hi")}},
		{"a negative threshold compresses every message that shrinks", &websocket.Protocol{Compression: websocket.Compression{Threshold: -1}},
			offerPlain, answerNoCtx, false, [][]byte{frame(0xC1, deflated("hi")), frame(0xC1, deflated(short))},
			[]want{text("hi"), compressedText(short)}},
		{"an uncompressed message on a compressed connection", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x81, []byte("plain"))}, []want{text("plain")}},
		{"a fragmented compressed message, a ping between its fragments", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x41, zlong[0]), frame(0x89, []byte("p")), frame(0x00, zlong[1]), frame(0x80, zlong[2])},
			[]want{{first: 0x8A, payload: "p"}, compressedText(long)}},
		{"RSV1 on a continuation frame closes with 1002", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x41, zlong[0]), frame(0xC0, zlong[1])}, []want{closed(1002)}},
		{"RSV1 on a ping closes with 1002", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC9, []byte("p"))}, []want{closed(1002)}},
		{"RSV1 on a Close frame closes with 1002", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC8, []byte{3, 232})}, []want{closed(1002)}},
		{"RSV2 closes with 1002", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xA1, []byte("x"))}, []want{closed(1002)}},
		{"RSV1 with no extension negotiated closes with 1002", nil, "", "", false,
			[][]byte{frame(0xC1, deflated(long))}, []want{closed(1002)}},
		{"a bomb inflating past MaxPackageSize closes with 1009", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC2, bomb)}, []want{closed(1009)}},
		{"data that does not inflate closes with 1007", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0xC1, []byte{0xff, 0xff, 0xff, 0xff, 0xff})}, []want{closed(1007)}},
		{"context takeover on: messages refer back to earlier ones", &websocket.Protocol{Compression: websocket.Compression{ContextTakeover: true}},
			"permessage-deflate", "permessage-deflate", true,
			[][]byte{frame(0xC1, takeover.msg(long)), frame(0xC1, takeover.msg(long))},
			[]want{compressedText(long), compressedText(long)}},
		{"context takeover on, but the client keeps none", &websocket.Protocol{Compression: websocket.Compression{ContextTakeover: true}},
			"permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover", true,
			[][]byte{frame(0xC1, deflated(long)), frame(0xC1, deflated(long))},
			[]want{compressedText(long), compressedText(long)}},
		{"context takeover off: each message inflates alone", nil, "permessage-deflate", answerNoCtx, false,
			[][]byte{frame(0xC1, deflated(long)), frame(0xC1, deflated(long))},
			[]want{compressedText(long), compressedText(long)}},
		{"server_max_window_bits under 15 is declined", nil, "permessage-deflate; server_max_window_bits=10", "", false,
			[][]byte{frame(0x81, []byte("plain"))}, []want{text("plain")}},
		{"the next offer is taken when the first is declined", nil,
			"permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=15",
			answerNoCtx + "; server_max_window_bits=15", false,
			[][]byte{frame(0xC1, deflated(long))}, []want{compressedText(long)}},
		{"an unknown parameter declines the offer", nil, "permessage-deflate; x_unknown", "", false, nil, nil},
		{"another extension is not taken", nil, "x-webkit-deflate-frame", "", false, nil, nil},
		{"Compression.Disable declines every offer", &websocket.Protocol{Compression: websocket.Compression{Disable: true}},
			offerPlain, "", false, [][]byte{frame(0xC1, deflated(long))}, []want{closed(1002)}},
		{"a fragment with invalid UTF-8 closes with 1007 before the message ends", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x01, []byte("ab\xff"))}, []want{closed(1007)}},
		{"a rune cut so that no byte can complete it closes with 1007 at once", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x01, []byte("a\xe0\x80"))}, []want{closed(1007)}},
		{"a rune cut between fragments is whole again", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x01, []byte("h\xc3")), frame(0x00, nil), frame(0x80, []byte("\xa9llo"))}, []want{text("héllo")}},
		{"a message ending inside a rune closes with 1007", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x01, []byte("h\xc3")), frame(0x80, nil)}, []want{closed(1007)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveWS(t, tc.proto, func(w *worker.Worker) { w.MaxPackageSize = 64 << 10 })
			p, answer := openOffering(t, addr, tc.offer)
			if answer != tc.answer {
				t.Fatalf("Sec-WebSocket-Extensions answered %q, want %q", answer, tc.answer)
			}
			for _, f := range tc.send {
				if _, err := p.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			inflate := &decompressor{keep: tc.keep}
			for _, w := range tc.want {
				f := p.read()
				if f.first != w.first {
					t.Fatalf("got a frame starting %#x (%q), want %#x", f.first, f.payload, w.first)
				}
				got := f.payload
				if w.compressed {
					got = inflate.msg(t, got)
					if len(f.payload) >= len(got) {
						t.Errorf("compressed to %d bytes from %d", len(f.payload), len(got))
					}
				}
				if w.closeCode != 0 {
					if c := f.closeCode(); c != w.closeCode {
						t.Fatalf("closed with %d (%q), want %d", c, f.payload, w.closeCode)
					}
					p.expectEOF()
					continue
				}
				if got != w.payload {
					t.Fatalf("got %q, want %q", got, w.payload)
				}
			}
		})
	}
}

// A server keeping its context sends a repeated message in far fewer bytes.
func TestDeflateContextTakeoverShrinksRepeats(t *testing.T) {
	var b strings.Builder
	for i := range 60 {
		b.WriteString([]string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"}[i*i%7])
		b.WriteString(strings.Repeat("!", i%5))
	}
	msg := b.String()
	var sizes [2][2]int
	for i, keep := range []bool{false, true} {
		addr := serveWS(t, &websocket.Protocol{Compression: websocket.Compression{ContextTakeover: keep}})
		p, _ := openOffering(t, addr, "permessage-deflate")
		inflate := &decompressor{keep: keep}
		for j := range 2 {
			p.send(0x81, msg)
			f := p.read()
			if got := inflate.msg(t, f.payload); got != msg {
				t.Fatalf("got %q", got)
			}
			sizes[i][j] = len(f.payload)
		}
	}
	if sizes[0][1] != sizes[0][0] || sizes[1][1]*2 > sizes[1][0] {
		t.Fatalf("compressed sizes of a message and its repeat: %v without context, %v with", sizes[0], sizes[1])
	}
}
