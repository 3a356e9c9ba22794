package websocket_test

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
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

// deflatedPieces compresses the parts as one message, flushed after each,
// so that the i-th piece inflates to the i-th part and nothing more.
func deflatedPieces(parts ...string) [][]byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	pieces := make([][]byte, len(parts))
	for i, part := range parts {
		w.Write([]byte(part))
		w.Flush()
		pieces[i] = bytes.Clone(buf.Bytes())
		buf.Reset()
	}
	pieces[len(parts)-1] = bytes.TrimSuffix(pieces[len(parts)-1], []byte{0, 0, 0xff, 0xff})
	return pieces
}

// parts cuts b in three.
func parts(b []byte) [3][]byte { n := len(b) / 3; return [3][]byte{b[:n], b[n : 2*n], b[2*n:]} }

// scrambled is n runes picked from alphabet by a fixed sequence, text that
// compresses into one block but not to nothing.
func scrambled(alphabet string, n int) string {
	runes := []rune(alphabet)
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range n {
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

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
func pong(s string) want           { return want{first: 0x8A, payload: s} }
func compressedText(s string) want { return want{first: 0xC1, payload: s, compressed: true} }
func closed(code int) want         { return want{first: 0x88, closeCode: code} }

func TestDeflate(t *testing.T) {
	short := strings.Repeat("ab", 50)
	long := strings.Repeat("the quick brown fox jumps over the lazy dog; ", 40)
	zlong := parts(deflated(long))
	mask := [4]byte([]byte(maskedKey))
	frame := func(first byte, p []byte) []byte { return clientFrame(first, p, mask) }
	bomb := deflated(strings.Repeat("\x00", 4<<20))
	if len(bomb) > 60000 {
		t.Fatalf("the bomb is %d bytes compressed, over the limit already", len(bomb))
	}
	takeover, takeoverFragmented := &compressor{keep: true}, &compressor{keep: true}
	fragments := func(pieces ...[]byte) [][]byte {
		frames := make([][]byte, len(pieces))
		for i, p := range pieces {
			frames[i] = frame(0x00, p)
		}
		frames[0][0], frames[len(pieces)-1][0] = 0x41, frames[len(pieces)-1][0]|0x80
		if len(pieces) == 1 {
			frames[0][0] = 0xC1
		}
		return frames
	}
	cutEvery := func(b []byte, n int) [][]byte {
		var pieces [][]byte
		for ; len(b) > n; b = b[n:] {
			pieces = append(pieces, b[:n])
		}
		return append(pieces, b)
	}
	// One DEFLATE block (the message is far under what compress/flate puts
	// in one) whose first byte does not start a rune: the first third of its
	// compressed bytes holds the block's codes and more.
	bad := "\xff" + scrambled("abcdefghijklmnopqrstuvwxyz ,.", 4000)
	zbad := parts(deflated(bad))
	runes := scrambled("aé€𝄞 ", 3000)
	cutRune := deflatedPieces(long+"h\xc3", "\xa9"+long)
	cutBad := deflatedPieces("abc\xe0", "\x80 is no continuation of it")
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
		// The cases that send part of a message: the Close frame comes
		// while the rest of it is still to be sent.
		{"a compressed fragment inflating to invalid UTF-8 closes with 1007 before the message ends", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x41, zbad[0])}, []want{closed(1007)}},
		{"a compressed message whose fragments cut an invalid sequence closes with 1007 at the fragment that ends it", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x41, cutBad[0]), frame(0x89, []byte("p")), frame(0x00, cutBad[1])}, []want{pong("p"), closed(1007)}},
		{"a bomb in a fragmented message closes with 1009 at the fragment that inflates past the limit", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x42, bomb[:len(bomb)/3])}, []want{closed(1009)}},
		{"a compressed message whose fragments cut a rune is whole again", nil, offerPlain, answerNoCtx, false,
			fragments(cutRune...), []want{compressedText(long + "hé" + long)}},
		{"runes cut anywhere in the compressed data, 7 bytes a fragment, are whole again", nil, offerPlain, answerNoCtx, false,
			fragments(cutEvery(deflated(runes), 7)...), []want{compressedText(runes)}},
		{"a compressed message ending inside a rune closes with 1007", nil, offerPlain, answerNoCtx, false,
			fragments(deflatedPieces("h\xc3", "")...), []want{closed(1007)}},
		{"pings and pongs between compressed fragments", nil, offerPlain, answerNoCtx, false,
			[][]byte{frame(0x41, zbad[0][:1]), frame(0x89, []byte("1")), frame(0x8A, []byte("x")), frame(0x00, nil), frame(0x89, []byte("2")), frame(0x80, cutEvery(zlong[0], 1)[1])},
			[]want{pong("1"), pong("2"), closed(1007)}},
		{"context takeover on: fragmented messages refer back to earlier ones", &websocket.Protocol{Compression: websocket.Compression{ContextTakeover: true}},
			"permessage-deflate", "permessage-deflate", true,
			append(fragments(cutEvery(takeoverFragmented.msg(long), 9)...), fragments(cutEvery(takeoverFragmented.msg(long), 2)...)...),
			[]want{compressedText(long), compressedText(long)}},
		{"context takeover off: fragmented messages inflate alone", nil, "permessage-deflate", answerNoCtx, false,
			append(fragments(cutEvery(deflated(long), 9)...), fragments(cutEvery(deflated(long), 2)...)...),
			[]want{compressedText(long), compressedText(long)}},
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

// Past websocket.MaxStreams messages inflated as they come, a process keeps
// a fragmented compressed message compressed and checks it once whole; the
// next message to start once one ends is inflated as it comes again.
func TestDeflateStreamsAreCapped(t *testing.T) {
	long := strings.Repeat("the quick brown fox jumps over the lazy dog; ", 40)
	zlong := deflated(long)
	bad := parts(deflated("\xff" + scrambled("abcdefghijklmnopqrstuvwxyz ,.", 4000)))
	mask := [4]byte([]byte(maskedKey))
	addr := serveWS(t, nil, func(w *worker.Worker) { w.MaxPackageSize = 64 << 10 })
	conn := func() *peer {
		p, _ := openOffering(t, addr, offerPlain)
		return p
	}
	// sendThenPing sends frames and a ping, and waits for its pong: the
	// server has handled the frames before it answers the ping.
	sendThenPing := func(p *peer, frames ...[]byte) {
		t.Helper()
		for _, f := range append(frames, clientFrame(0x89, []byte("sync"), mask)) {
			if _, err := p.Write(f); err != nil {
				t.Fatal(err)
			}
		}
		if f := p.read(); f.first != 0x8A {
			t.Fatalf("got a frame starting %#x (%q), want the pong", f.first, f.payload)
		}
	}
	// finish sends the rest of a holder's message and waits for its echo.
	finish := func(p *peer) {
		t.Helper()
		p.Write(clientFrame(0x80, zlong[len(zlong)/2:], mask))
		if f := p.read(); f.first != 0xC1 || (&decompressor{}).msg(t, f.payload) != long {
			t.Fatalf("got a frame starting %#x, want the message echoed", f.first)
		}
	}
	holders := make([]*peer, websocket.MaxStreams)
	for i := range holders {
		holders[i] = conn()
		sendThenPing(holders[i], clientFrame(0x41, zlong[:len(zlong)/2], mask))
	}
	if n := websocket.StreamsInUse(); n != websocket.MaxStreams {
		t.Fatalf("%d messages inflated as they come, want %d", n, websocket.MaxStreams)
	}

	late := conn()
	sendThenPing(late, clientFrame(0x41, bad[0], mask)) // kept compressed: no Close frame yet
	late.Write(append(clientFrame(0x00, bad[1], mask), clientFrame(0x80, bad[2], mask)...))
	if f := late.read(); f.closeCode() != 1007 {
		t.Fatalf("the whole message answered with %#x %q, want a Close frame with 1007", f.first, f.payload)
	}

	finish(holders[0])
	early := conn()
	early.Write(clientFrame(0x41, bad[0], mask))
	if f := early.read(); f.closeCode() != 1007 {
		t.Fatalf("its first fragment answered with %#x %q, want a Close frame with 1007", f.first, f.payload)
	}
	early.expectEOF()
	for _, p := range holders[1:] {
		finish(p)
	}
	if n := websocket.StreamsInUse(); n != 0 {
		t.Fatalf("%d messages still inflating after all ended", n)
	}
}
