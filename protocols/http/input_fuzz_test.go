package http

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	"github.com/valyala/fasthttp"
)

// FuzzInput checks the framer on any bytes: it never panics, never claims
// more than it was given or more than the limits allow, decides the same
// whether the bytes come at once or one by one, and agrees with fasthttp on
// where a request's head and body end.
func FuzzInput(f *testing.F) {
	for _, tc := range conformance {
		f.Add([]byte(tc.req))
	}
	f.Add([]byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: b\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		const pkgLimit = 1 << 12
		p, c := &Protocol{HeaderLimit: 1 << 10}, newFakeConn()
		c.limit = pkgLimit
		n, err := p.Input(b, c)
		if n < 0 || n > len(b) || n > pkgLimit {
			t.Fatalf("Input returned %d for %d bytes", n, len(b))
		}
		var br *badRequest
		if err != nil && !errors.As(err, &br) {
			t.Fatalf("error %v is not a badRequest", err)
		}

		// Byte by byte, the same answer.
		p2, c2 := &Protocol{HeaderLimit: 1 << 10}, newFakeConn()
		c2.limit = pkgLimit
		m, err2 := 0, error(nil)
		for end := 1; end <= len(b); end++ {
			if m, err2 = p2.Input(b[:end], c2); m > 0 || err2 != nil {
				break
			}
		}
		if m != n || (err == nil) != (err2 == nil) {
			t.Fatalf("at once: %d, %v; byte by byte: %d, %v", n, err, m, err2)
		}
		if n == 0 || err != nil {
			return
		}

		st := c.state.(*connState)
		headLen, cl, chunked := st.f.headLen, st.f.cl, st.f.chunked
		var h fasthttp.RequestHeader
		r := bufio.NewReaderSize(bytes.NewReader(b[:n]), 4096)
		if err := h.Read(r); err != nil {
			// fasthttp refuses what the framer let through: Decode must refuse it too.
			if _, derr := p.Decode(b[:n], c); derr == nil {
				t.Fatalf("fasthttp refused (%v) and Decode accepted %q", err, b[:n])
			}
			return
		}
		if consumed := n - r.Buffered(); consumed != headLen {
			t.Fatalf("head is %d bytes, fasthttp read %d: %q", headLen, consumed, b[:n])
		}
		if !chunked && h.ContentLength() != cl && !(cl == 0 && h.ContentLength() <= 0) {
			t.Fatalf("Content-Length %d, fasthttp says %d: %q", cl, h.ContentLength(), b[:n])
		}
		if _, err := p.Decode(b[:n], c); err != nil {
			t.Fatalf("Decode: %v", err)
		}
	})
}
