package http

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// serveOn frames, decodes and answers req on c as a connection does, failing
// the test unless it is one whole valid request.
func serveOn(t testing.TB, p *Protocol, c *fakeConn, req string) {
	t.Helper()
	n, err := p.Input([]byte(req), c)
	if err != nil || n != len(req) {
		t.Fatalf("Input: %d, %v", n, err)
	}
	if _, err := p.Decode([]byte(req), c); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if _, err := p.Encode(nil, "ok", c); err != nil {
		t.Fatalf("Encode: %v", err)
	}
}

func TestARememberedHeadIsCheckedAgainUnderNewLimits(t *testing.T) {
	req := "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("x", 100)
	tests := []struct {
		name   string
		change func(p *Protocol, c *fakeConn)
		status int
	}{
		{"a smaller header limit refuses the head", func(p *Protocol, _ *fakeConn) { p.HeaderLimit = 20 }, 431},
		{"a smaller package limit refuses the whole request", func(_ *Protocol, c *fakeConn) { c.limit = 120 }, 413},
		{"a smaller package limit refuses the Content-Length", func(_ *Protocol, c *fakeConn) { c.limit = 60 }, 413},
		{"a package limit smaller than the head refuses the head", func(_ *Protocol, c *fakeConn) { c.limit = 40 }, 431},
		{"unchanged limits accept it again", func(*Protocol, *fakeConn) {}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c := &Protocol{}, newFakeConn()
			serveOn(t, p, c, req)
			tc.change(p, c)
			n, err := p.Input([]byte(req), c)
			if s := statusOf(t, err, c); s != tc.status {
				t.Fatalf("status %d, want %d", s, tc.status)
			}
			if tc.status == 0 && n != len(req) {
				t.Fatalf("length %d, want %d", n, len(req))
			}
		})
	}
}

func TestAHeadArrivingInPiecesAfterTheSameHeadIsFramedOnce(t *testing.T) {
	req := "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
	p, c := &Protocol{}, newFakeConn()
	serveOn(t, p, c, req)
	c.out = nil
	for end := 1; end < len(req); end++ {
		if n, err := p.Input([]byte(req[:end]), c); n != 0 || err != nil {
			t.Fatalf("%d bytes: %d, %v", end, n, err)
		}
	}
	if n, err := p.Input([]byte(req), c); n != len(req) || err != nil {
		t.Fatalf("whole request: %d, %v", n, err)
	}
	if want := string(reply100); string(c.out) != want {
		t.Fatalf("sent %q, want one %q", c.out, want)
	}
}

// describe is everything a request shows the application, as one string.
// The Cookie field comes first: reading cookies changes how fasthttp shows it.
func describe(r *Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Cookie field %q\n", r.Header("Cookie"))
	fmt.Fprintf(&b, "%s %q %s host %q path %q query %q\n", r.Method(), r.URI(), r.ProtocolVersion(), r.Host(), r.Path(), r.QueryString())
	fmt.Fprintf(&b, "head %q\nbody %q\n", r.RawHead(), r.RawBody())
	fmt.Fprintf(&b, "get %v\npost %v\n", r.Query(), r.Form())
	fmt.Fprintf(&b, "cookie a %q\ncookies %v\n", r.Cookie("a"), r.Cookies())
	h := r.Headers()
	for _, k := range slices.Sorted(maps.Keys(h)) {
		fmt.Fprintf(&b, "%s: %q\n", k, h[k])
	}
	return b.String()
}

// FuzzInputAfterAValidRequest checks that a connection which has just served
// one request frames and decodes the next exactly as a new connection does,
// whether or not the two heads are the same.
func FuzzInputAfterAValidRequest(f *testing.F) {
	get := "GET /?q=1 HTTP/1.1\r\nHost: a\r\nCookie: a=1;b=2\r\n\r\n"
	post := "POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\n"
	chunked := "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	f.Add([]byte(get), []byte(get))
	f.Add([]byte(get), []byte(get+get))
	f.Add([]byte(post+"a=1"), []byte(post+"a=2"))
	f.Add([]byte(post+"a=1"), []byte(post+"a"))
	f.Add([]byte(chunked+"1\r\nx\r\n0\r\n\r\n"), []byte(chunked+"2\r\nyz\r\n0\r\n\r\n"))
	f.Add([]byte(get), []byte("GET /?q=1 HTTP/1.1\r\nHost: a\r\nCookie: a=1;b=2\r\nX: \x01\r\n\r\n"))
	f.Add([]byte(get), []byte("GET /?q=1 HTTP/1.1\r\nHost: a\r\nCookie: a=1;b=2\r\n"))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		const pkgLimit = 1 << 12
		conn := func() (*Protocol, *fakeConn) {
			c := newFakeConn()
			c.limit = pkgLimit
			return &Protocol{HeaderLimit: 1 << 10}, c
		}
		p, c := conn()
		n, err := p.Input(first, c)
		if n == 0 || err != nil {
			return
		}
		v, err := p.Decode(first[:n], c)
		if err != nil {
			return
		}
		describe(v.(*Request)) // reads everything, cookies included

		p2, c2 := conn()
		n1, err1 := p.Input(second, c)
		n2, err2 := p2.Input(second, c2)
		f1, f2 := c.state.(*connState).f.headFacts, c2.state.(*connState).f.headFacts
		if n1 != n2 || fmt.Sprint(err1) != fmt.Sprint(err2) || f1 != f2 {
			t.Fatalf("after %q, %q framed as %d, %v, %+v; on a new connection %d, %v, %+v", first, second, n1, err1, f1, n2, err2, f2)
		}
		if n1 == 0 || err1 != nil {
			return
		}
		v1, err1 := p.Decode(second[:n1], c)
		v2, err2 := p2.Decode(second[:n2], c2)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("after %q, Decode of %q: %v; on a new connection: %v", first, second, err1, err2)
		}
		if err1 != nil {
			return
		}
		if d1, d2 := describe(v1.(*Request)), describe(v2.(*Request)); d1 != d2 {
			t.Fatalf("after %q, %q decodes as\n%s\non a new connection as\n%s", first, second, d1, d2)
		}
	})
}
