package main

import (
	"errors"
	"strings"
	"testing"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status int
		close  bool
	}{
		{"a Content-Length body ends after its length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, false},
		{"header names are case-insensitive", "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nCONNECTION: Close\r\n\r\nabc", 200, true},
		{"a chunked body ends after the last chunk and trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n", 200, false},
		{"204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", 204, false},
		{"304 has no body even with a Content-Length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 304, false},
		{"HTTP/1.0 closes unless it says keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, true},
		{"HTTP/1.0 with keep-alive stays open", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 200, false},
		{"a 500 is a whole response", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1\r\n\r\nx", 500, false},
		{"the seed's answer parses", "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok", 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.in + "HTTP/1.1 200 OK\r\n") // the start of the next response must not count
			h, n, err := parseResponse(buf)
			if err != nil || n != len(tc.in) {
				t.Fatalf("parseResponse = %d, %v; want %d", n, err, len(tc.in))
			}
			if h.status != tc.status || h.close != tc.close {
				t.Fatalf("status %d close %v, want %d %v", h.status, h.close, tc.status, tc.close)
			}
			for i := range len(tc.in) {
				if _, n, err := parseResponse(buf[:i]); n != 0 || err != nil {
					t.Fatalf("prefix of %d bytes: length %d, error %v; want an incomplete response", i, n, err)
				}
			}
		})
	}
}

func TestParseResponseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a response without framing cannot be delimited", "HTTP/1.1 200 OK\r\n\r\nok", errNoLength.Error()},
		{"a non-HTTP status line is refused", "SSH-2.0-OpenSSH\r\n\r\n", "not HTTP/1.x"},
		{"a status code must be digits", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "no status code"},
		{"a Content-Length must be a number", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "not a number"},
		{"a header line needs a name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", "has no name"},
		{"a chunk size must be hexadecimal", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not hexadecimal"},
		{"chunk data must end in CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc", "not followed by CRLF"},
		{"an interim response is unexpected", "HTTP/1.1 100 Continue\r\n\r\n", "interim"},
		{"a head beyond the limit is refused", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", maxHeadSize), "exceeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseResponse([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one saying %q", err, tc.want)
			}
		})
	}
	if _, _, err := parseResponse([]byte("HTTP/1.1 200 OK\r\n\r\n")); !errors.Is(err, errNoLength) {
		t.Fatalf("error = %v, want errNoLength", err)
	}
}

func FuzzParseResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, n, err := parseResponse(b)
		if err != nil || n == 0 {
			return
		}
		if n > len(b) {
			t.Fatalf("length %d beyond the %d bytes given", n, len(b))
		}
		// A response found in b is found whole in b[:n], with the same length.
		if _, again, err := parseResponse(b[:n]); again != n || err != nil {
			t.Fatalf("b[:%d] parses to %d, %v", n, again, err)
		}
	})
}
