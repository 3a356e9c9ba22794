package websocket

import (
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
