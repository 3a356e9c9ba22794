package websocket

import (
	"bytes"
	"compress/flate"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzServerFrames feeds arbitrary bytes to an open server connection: it
// must never panic, never frame past its package limit, deliver text only as
// valid UTF-8, and answer a broken rule with a Close frame before it stops.
func FuzzServerFrames(f *testing.F) {
	for _, seed := range [][]byte{
		appendFrame(nil, opText, "hello", true),
		append(appendFrame(nil, opPing, "p", true), appendFrame(nil, opBinary, []byte{0, 1}, true)...),
		{0x01, 0x83, 1, 2, 3, 4, 'a', 'b', 'c', 0x80, 0x81, 1, 2, 3, 4, 'd'},
		{0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8},
		{0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4},
		{0x81, 0x02, 'h', 'i'},
		{0xC1, 0x81, 1, 2, 3, 4, 'x'},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := openConn(512, false)
		msgs, err := feed(Default, c, append([]byte(nil), data...))
		checkFed(t, c, msgs, err)
	})
}

// FuzzClientFrames is FuzzServerFrames for the client side, which takes
// unmasked frames, with the same checks and seeds of the same kinds.
func FuzzClientFrames(f *testing.F) {
	f.Add(appendFrame(nil, opText, "hello", false))
	f.Add(append(appendFrame(nil, opPing, "p", false), appendFrame(nil, opClose, []byte{3, 232}, false)...))
	f.Add([]byte{0x81, 0x82, 1, 2, 3, 4, 'h', 'i'}) // masked: a server must not mask
	f.Add([]byte{0x81, 0x02, 0xff, 0xfe})           // text that is not UTF-8
	f.Add([]byte{0x01, 0x03, 'a', 'b', 'c', 0x80, 0x01, 'd'})
	f.Add([]byte{0x81, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0xC1, 0x01, 'x'})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := openConn(512, true)
		msgs, err := feed(DefaultClient, c, append([]byte(nil), data...))
		checkFed(t, c, msgs, err)
	})
}

// FuzzHandshake feeds arbitrary bytes to a fresh server connection: the
// handshake must never panic, never be framed past its head limit, and
// answer 101 only with the accept key of the request's key.
func FuzzHandshake(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x81\x01\x02\x03\x04a"))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Version: 8\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newFakeConn(1 << 20)
		p := &Protocol{HeaderLimit: 1024}
		feed(p, c, append([]byte(nil), data...))
		if st, ok := c.state.(*connState); ok && st.open {
			if len(c.out) < 12 || string(c.out[:12]) != "HTTP/1.1 101" {
				t.Fatalf("open without a 101: %q", c.out)
			}
		}
	})
}

// checkFed holds what feeding frames to either side must give: text only as
// valid UTF-8, and an error only after a Close frame and the close.
func checkFed(t *testing.T, c *fakeConn, msgs []any, err error) {
	t.Helper()
	for _, m := range msgs {
		if s, ok := m.(string); ok && !utf8.ValidString(s) {
			t.Fatalf("delivered text that is not UTF-8: %q", s)
		}
	}
	if err != nil && (!c.closed || !c.state.(*connState).closing) {
		t.Fatalf("stopped with %v without closing (sent %q)", err, c.out)
	}
}

// FuzzDeflateFrames is FuzzServerFrames on a connection that negotiated
// permessage-deflate: compressed frames that inflate to anything, or to
// nothing valid, must end in a Close frame or in messages within the limit.
func FuzzDeflateFrames(f *testing.F) {
	z := &deflate{}
	long := strings.Repeat("compressible text, ", 30)
	whole := z.appendCompressed(nil, opText, []byte(long), true)
	f.Add(false, whole)
	f.Add(true, append(whole, z.appendCompressed(nil, opBinary, []byte(long), true)...))
	compressed := z.appendCompressed(nil, opText, []byte(long), false)[2:] // the DEFLATE bytes
	first := appendHeaderOnly(0x41, compressed[:10])
	f.Add(false, append(append(first, appendFrame(nil, opPing, "p", true)...), appendHeaderOnly(0x80, compressed[10:])...))
	f.Add(false, append(first, appendHeaderOnly(0xC0, compressed[10:])...))    // RSV1 on a continuation
	f.Add(false, z.appendCompressed(nil, opBinary, make([]byte, 1<<16), true)) // inflates past 512
	f.Add(true, appendHeaderOnly(0xC1, []byte{0xff, 0xff, 0xff}))              // does not inflate
	f.Add(false, appendHeaderOnly(0xC1, []byte{0x2a, 0xc9, 0xc8, 0x2c, 0x06, 0}))
	var pieces []byte // the message a few bytes a fragment, a ping among them
	for i := 0; i < len(compressed); i += 3 {
		first := byte(0x00)
		if i == 0 {
			first = 0x41
		}
		if i+3 >= len(compressed) {
			first |= 0x80
		}
		pieces = append(pieces, appendHeaderOnly(first, compressed[i:min(i+3, len(compressed))])...)
		if i == 6 {
			pieces = append(pieces, appendFrame(nil, opPing, "p", true)...)
		}
	}
	f.Add(true, pieces)
	bad := (&deflate{}).appendCompressed(nil, opText, []byte("\xff"+long), false)[2:]
	f.Add(false, append(appendHeaderOnly(0x41, bad[:len(bad)/2]), appendHeaderOnly(0x80, bad[len(bad)/2:])...))
	f.Fuzz(func(t *testing.T, keep bool, data []byte) {
		c := openDeflateConn(512, keep, keep)
		msgs, err := feed(Default, c, append([]byte(nil), data...))
		c.state.(*connState).closed() // its compressor and stream back to the free lists
		if n := streamsOut.Load(); n != 0 {
			t.Fatalf("%d streams still in use once the connection closed", n)
		}
		checkFed(t, c, msgs, err)
		for _, m := range msgs {
			if s, ok := m.(string); ok && len(s) > 512 {
				t.Fatalf("delivered %d bytes past the limit of 512", len(s))
			} else if b, ok := m.([]byte); ok && len(b) > 512 {
				t.Fatalf("delivered %d bytes past the limit of 512", len(b))
			}
		}
	})
}

// appendHeaderOnly is a masked frame with first as its first byte.
func appendHeaderOnly(first byte, payload []byte) []byte {
	b := appendFrame(nil, first&0x0F, payload, true)
	b[0] = first
	return b
}

// FuzzDeflateRoundTrip: what the compressor writes, the inflater gives back,
// message after message, with context takeover or without, whole or cut
// into fragments anywhere.
func FuzzDeflateRoundTrip(f *testing.F) {
	f.Add(false, []byte("hello"), []byte("hello again"), uint64(0))
	f.Add(true, []byte(strings.Repeat("ab", 300)), []byte(strings.Repeat("ab", 301)), uint64(0x123456))
	f.Add(true, []byte{}, []byte{0, 1, 2, 255}, uint64(1))
	f.Fuzz(func(t *testing.T, keep bool, a, b []byte, cuts uint64) {
		w := &deflate{keepWrite: keep}
		defer w.closed()
		r := &deflate{keepRead: keep}
		for _, msg := range [][]byte{a, b, a} {
			frame := w.appendCompressed(nil, opBinary, msg, false)
			h, _ := parseHeader(frame)
			payload := frame[h.size:]
			if h.rsv == 0 { // sent as it is, which only happens without context takeover
				if keep || !bytes.Equal(payload, msg) {
					t.Fatalf("uncompressed frame %q for %q (keep %v)", payload, msg, keep)
				}
				continue
			}
			dict := r.dict
			in, err := r.inflate(payload, 1<<20)
			if err != nil || !bytes.Equal(in.out, msg) {
				t.Fatalf("inflated %q, %v; want %q", in.out, err, msg)
			}
			r.release(in)
			if got, err := inflateInPieces(payload, dict, 1<<20, cuts); err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("inflated in pieces %q, %v; want %q", got, err, msg)
			}
		}
	})
}

// FuzzStream: any bytes, cut into pieces anywhere and inflated as they
// come with any window before them, give what compress/flate gives them
// whole: the same bytes, or the same refusal (too big, or not DEFLATE).
func FuzzStream(f *testing.F) {
	text := []byte(strings.Repeat("héllo, wörld € ", 40))
	frame := (&deflate{}).appendCompressed(nil, opText, text, false)
	h, _ := parseHeader(frame)
	var dynamic bytes.Buffer // compress/flate's default level writes dynamic codes
	w, _ := flate.NewWriter(&dynamic, flate.DefaultCompression)
	w.Write(append(text, "a text of its own, with other words in it"...))
	w.Flush()
	f.Add(frame[h.size:], []byte(nil), uint64(0x0102030405))
	f.Add(dynamic.Bytes(), text, uint64(7))
	f.Add([]byte{0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o'}, []byte(nil), uint64(3)) // a stored block
	f.Add([]byte{0x4a, 0x04, 0x00, 0x00, 0xff, 0xff}, []byte(nil), uint64(1))                    // fixed codes
	f.Add([]byte{0x02, 0x00}, []byte("the window"), uint64(2))
	f.Add([]byte{0xff, 0xff, 0xff}, []byte(nil), uint64(1))
	f.Fuzz(func(t *testing.T, data, dict []byte, cuts uint64) {
		const limit = 4096
		dict = appendWindow(nil, dict)
		whole := &deflate{dict: dict}
		in, wantErr := whole.inflate(data, limit)
		want := bytes.Clone(in.out)
		whole.release(in)
		got, err := inflateInPieces(data, dict, limit, cuts)
		switch {
		case (err == nil) != (wantErr == nil) || (err == errInflatedTooBig) != (wantErr == errInflatedTooBig):
			t.Fatalf("in pieces: %v; whole: %v", err, wantErr)
		case err == nil && !bytes.Equal(got, want):
			t.Fatalf("in pieces %q; whole %q", got, want)
		}
	})
}

// inflateInPieces inflates a message's DEFLATE data cut where cuts says, as
// its fragments would be.
func inflateInPieces(p, dict []byte, limit int, cuts uint64) ([]byte, error) {
	z := &deflate{dict: dict}
	s := getStream(dict, limit)
	defer putStream(s)
	for {
		n := len(p)
		if cuts > 0 {
			n = min(int(cuts%7), len(p))
			cuts /= 7
		}
		if _, err := z.inflateFragment(s, p[:n], n == len(p)); err != nil || n == len(p) {
			return bytes.Clone(s.out), err
		}
		p = p[n:]
	}
}

// FuzzUTF8Stream: text cut into pieces anywhere is found valid exactly when
// it is, and once a piece is refused the whole text is invalid.
func FuzzUTF8Stream(f *testing.F) {
	f.Add([]byte("héllo, wörld €𝄞"), uint64(0x0102030405))
	f.Add([]byte("a\xe0\x80b"), uint64(2))
	f.Add([]byte("\xf0\x9d\x84"), uint64(1))
	f.Fuzz(func(t *testing.T, text []byte, cuts uint64) {
		var u utf8Stream
		ok, p := true, text
		for ok && len(p) > 0 {
			n := min(int(cuts%5), len(p))
			cuts /= 5
			if cuts == 0 {
				n = len(p)
			}
			ok = u.write(p[:n], n == len(p))
			p = p[n:]
		}
		if len(text) == 0 {
			ok = u.write(nil, true)
		}
		if ok != utf8.Valid(text) {
			t.Fatalf("%q in pieces: %v, utf8.Valid: %v", text, ok, utf8.Valid(text))
		}
	})
}

// FuzzNegotiate feeds arbitrary Sec-WebSocket-Extensions offers to the
// server: it must never panic, and whatever it answers must be an answer
// that a client keeping no context would take.
func FuzzNegotiate(f *testing.F) {
	f.Add("permessage-deflate; client_max_window_bits", false)
	f.Add(`permessage-deflate; server_max_window_bits="10", permessage-deflate; server_max_window_bits=15`, true)
	f.Add("x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover; x", false)
	f.Add(`permessage-deflate; client_max_window_bits="\"`, true)
	f.Fuzz(func(t *testing.T, offer string, takeover bool) {
		answer, z := (&Compression{ContextTakeover: takeover}).accept(offer)
		if (answer == "") != (z == nil) {
			t.Fatalf("answer %q with state %v", answer, z)
		}
		if z == nil {
			return
		}
		if _, err := (&Compression{}).accepted(answer); err != nil {
			t.Fatalf("offer %q: the answer %q is refused: %v", offer, answer, err)
		}
		if !strings.Contains(answer, "server_no_context_takeover") && !z.keepWrite {
			t.Fatalf("offer %q: answer %q keeps context, the server does not", offer, answer)
		}
	})
}
