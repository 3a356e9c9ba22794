package http

import (
	"errors"
	"strings"
	"testing"
)

// conformance lists requests from RFC 9112's rules. status 0 means the
// request is valid and its first n bytes are one request (n 0: all of them).
var conformance = []struct {
	name   string
	req    string
	status int
	n      int
}{
	{"a minimal GET is one request", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"an HTTP/1.0 request may omit Host", "GET / HTTP/1.0\r\n\r\n", 0, 0},
	{"a body is framed by Content-Length", "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 0, 0},
	{"Content-Length 0 means no body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 0, 0},
	{"pipelined requests are framed one at a time", "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n", 0, 28},
	{"header names are case-insensitive", "POST / HTTP/1.1\r\nhOsT: a\r\ncontent-LENGTH: 2\r\n\r\nok", 0, 0},
	{"optional whitespace around a value is allowed", "POST / HTTP/1.1\r\nHost:a\r\nContent-Length: \t3 \r\n\r\nabc", 0, 0},
	{"a chunked body is framed by its chunks", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 0, 0},
	{"chunk extensions are ignored", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value ; x\r\nhello\r\n0;end\r\n\r\n", 0, 0},
	{"trailers follow the last chunk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 1\r\nX-More: 2\r\n\r\n", 0, 0},
	{"chunk sizes may be upper case with leading zeros", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n00A\r\n0123456789\r\n0\r\n\r\n", 0, 0},
	{"an empty line before the request line is ignored", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"several empty lines before the request line are ignored", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},
	{"a Host with a port is valid", "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", 0, 0},
	{"a Host that is an IPv6 literal is valid", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 0, 0},
	{"an empty Host is valid", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 0, 0},
	{"raw UTF-8 in the target is allowed", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 0, 0},

	{"Content-Length with Transfer-Encoding is refused", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0},
	{"two Content-Length fields are refused", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400, 0},
	{"a signed Content-Length is refused", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", 400, 0},
	{"a negative Content-Length is refused", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, 0},
	{"a Content-Length list is refused", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", 400, 0},
	{"an empty Content-Length is refused", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400, 0},
	{"a Content-Length past the limit is too large", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413, 0},
	{"two Transfer-Encoding fields are refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0},
	{"a coding before chunked is refused with 501", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, 0},
	{"a coding other than chunked last is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400, 0},
	{"Transfer-Encoding in HTTP/1.0 is refused", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0},
	{"a chunk size that is not hex is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, 0},
	{"a chunk size of 17 digits is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n", 400, 0},
	{"a chunk size past the limit is too large", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", 413, 0},
	{"chunk data without its CRLF is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n", 400, 0},
	{"a chunk-size line ending in a bare LF is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\r\n0\r\n\r\n", 400, 0},
	{"a chunk size followed by junk is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2 x\r\nhi\r\n0\r\n\r\n", 400, 0},
	{"a bad trailer line is refused", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", 400, 0},

	{"a Host with a space is refused", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, 0},
	{"a Host with userinfo is refused", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, 0},
	{"a Host with a port that is not a number is refused", "GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", 400, 0},
	{"a Host with an unclosed IP literal is refused", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, 0},
	{"a Host with a slash is refused", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, 0},
	{"an empty line ending in a bare LF before the request line is refused", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0},
	{"a NUL in a field value is refused", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 400, 0},
	{"a control byte in a field value is refused", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", 400, 0},
	{"whitespace before the colon is refused", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, 0},
	{"a field name with a separator is refused", "GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", 400, 0},
	{"a line without a colon is refused", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400, 0},
	{"obsolete line folding is refused", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400, 0},
	{"a bare CR in a field is refused", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n", 400, 0},
	{"a bare LF line ending is refused", "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", 400, 0},
	{"a request line ending in a bare LF is refused", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, 0},
	{"a bare CR in the request line is refused", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0},

	{"HTTP/2.0 is not supported", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, 0},
	{"HTTP/1.2 is not supported", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, 0},
	{"HTTP/0.9 is not supported", "GET / HTTP/0.9\r\n\r\n", 505, 0},
	{"a version without a minor number is malformed", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400, 0},
	{"a lower-case protocol name is malformed", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, 0},
	{"two spaces in the request line are malformed", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0},
	{"a request line without a target is malformed", "GET HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0},
	{"a method with a separator is malformed", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, 0},

	{"an HTTP/1.1 request without Host is refused", "GET / HTTP/1.1\r\nX: 1\r\n\r\n", 400, 0},
	{"two Host fields are refused", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0},
	{"a head past the header limit is too large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", DefaultHeaderLimit) + "\r\n\r\n", 431, 0},
}

func TestInputConformance(t *testing.T) {
	for _, tc := range conformance {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.n
			if want == 0 {
				want = len(tc.req)
			}
			status, n := feedBytewise(t, tc.req)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if tc.status == 0 && n != want {
				t.Fatalf("request length %d, want %d", n, want)
			}
		})
	}
}

// feedBytewise hands the request to Input the way a connection does when
// the bytes arrive one at a time, then in every two-piece split: a valid
// request must wait until it is whole, and a bad one must fail the same way
// wherever it is cut.
func feedBytewise(t *testing.T, req string) (status, n int) {
	t.Helper()
	status, n = feed(t, req, 1)
	for cut := 1; cut < len(req); cut++ {
		st, m := feedSplit(t, req, cut)
		if st != status || m != n {
			t.Fatalf("split at %d: status %d length %d; byte by byte: status %d length %d", cut, st, m, status, n)
		}
	}
	return status, n
}

func feed(t *testing.T, req string, step int) (status, n int) {
	t.Helper()
	p, c := &Protocol{}, newFakeConn()
	for end := step; ; end += step {
		end = min(end, len(req))
		n, err := p.Input([]byte(req[:end]), c)
		if s := statusOf(t, err, c); s != 0 || n > 0 {
			if n > end {
				t.Fatalf("Input claimed %d bytes of %d", n, end)
			}
			return s, n
		}
		if end == len(req) {
			return 0, 0
		}
	}
}

func feedSplit(t *testing.T, req string, cut int) (status, n int) {
	t.Helper()
	p, c := &Protocol{}, newFakeConn()
	for _, end := range []int{cut, len(req)} {
		n, err := p.Input([]byte(req[:end]), c)
		if s := statusOf(t, err, c); s != 0 || n > 0 {
			return s, n
		}
	}
	return 0, 0
}

// statusOf checks that an error came with its reply and returns its status.
func statusOf(t *testing.T, err error, c *fakeConn) int {
	t.Helper()
	if err == nil {
		if c.ended != nil {
			t.Fatalf("replied %q without an error", c.ended)
		}
		return 0
	}
	var br *badRequest
	if !errors.As(err, &br) {
		t.Fatalf("error %v is not a badRequest", err)
	}
	if want := replies[br.status]; string(c.ended) != string(want) {
		t.Fatalf("replied %q, want %q", c.ended, want)
	}
	return br.status
}

func TestInputBodyLimit(t *testing.T) {
	tests := []struct {
		name   string
		req    string
		status int
	}{
		{"a body within the package limit is accepted", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", 0},
		{"a Content-Length past the package limit is too large", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n", 413},
		{"chunks past the package limit are too large", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1\r\nx\r\n", 20), 413},
		{"a head past a small package limit is too large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 100) + "\r\n\r\n", 431},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c := &Protocol{}, newFakeConn()
			c.limit = 80
			n, err := p.Input([]byte(tc.req), c)
			if s := statusOf(t, err, c); s != tc.status {
				t.Fatalf("status %d, want %d", s, tc.status)
			}
			if tc.status == 0 && n != len(tc.req) {
				t.Fatalf("length %d, want %d", n, len(tc.req))
			}
		})
	}
}

func TestExpectContinue(t *testing.T) {
	head := "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
	p, c := &Protocol{}, newFakeConn()
	for i := 1; i <= len(head); i++ {
		if n, err := p.Input([]byte(head[:i]), c); n != 0 || err != nil {
			t.Fatalf("prefix of %d bytes: %d, %v", i, n, err)
		}
	}
	if want := "HTTP/1.1 100 Continue\r\n\r\n"; string(c.out) != want {
		t.Fatalf("sent %q, want %q", c.out, want)
	}
	req := head + "hel"
	if n, err := p.Input([]byte(req), c); n != 0 || err != nil {
		t.Fatalf("part of the body: %d, %v", n, err)
	}
	req += "lo"
	if n, err := p.Input([]byte(req), c); n != len(req) || err != nil {
		t.Fatalf("whole request: %d, %v", n, err)
	}
	if len(c.out) != len("HTTP/1.1 100 Continue\r\n\r\n") {
		t.Fatalf("100 Continue sent more than once: %q", c.out)
	}
	v, err := p.Decode([]byte(req), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(*Request).RawBody(); got != "hello" {
		t.Fatalf("body %q", got)
	}
}

func TestExpectContinueWithTheBodyAlreadyHereSendsNothing(t *testing.T) {
	req := "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
	p, c := &Protocol{}, newFakeConn()
	if n, err := p.Input([]byte(req), c); n != len(req) || err != nil {
		t.Fatalf("%d, %v", n, err)
	}
	if c.out != nil {
		t.Fatalf("sent %q", c.out)
	}
}

func TestDechunk(t *testing.T) {
	req := "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n"
	p, c := &Protocol{}, newFakeConn()
	n, err := p.Input([]byte(req), c)
	if err != nil || n != len(req) {
		t.Fatalf("%d, %v", n, err)
	}
	v, err := p.Decode([]byte(req), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(*Request).RawBody(); got != "hello 0123456789" {
		t.Fatalf("body %q", got)
	}
}
