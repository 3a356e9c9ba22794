package http

import (
	"fmt"
	"testing"
)

// benchRequest drives one request through Input, Decode and Encode the way a
// connection does, reusing the output buffer as the loop does.
func benchRequest(b *testing.B, req string, reply any) {
	benchRequests(b, []string{req}, reply)
}

// benchRequests is benchRequest with the requests taken in turn, one per
// iteration, on one connection.
func benchRequests(b *testing.B, reqs []string, reply any) {
	p, c := &Protocol{}, newFakeConn()
	bufs := make([][]byte, len(reqs))
	for i, req := range reqs {
		bufs[i] = []byte(req)
	}
	var dst []byte
	b.SetBytes(int64(len(bufs[0])))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf := bufs[i%len(bufs)]
		n, err := p.Input(buf, c)
		if err != nil || n != len(buf) {
			b.Fatalf("Input: %d, %v", n, err)
		}
		v, err := p.Decode(buf[:n], c)
		if err != nil {
			b.Fatal(err)
		}
		_ = v.(*Request)
		dst, err = p.Encode(dst[:0], reply, c)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRequestOK(b *testing.B) {
	benchRequest(b, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", "ok")
}

// BenchmarkVaryingRequestOK is BenchmarkRequestOK with a head that differs
// from the one before it, as when clients send ever new targets.
func BenchmarkVaryingRequestOK(b *testing.B) {
	reqs := make([]string, 16)
	for i := range reqs {
		reqs[i] = fmt.Sprintf("GET /%02d HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", i)
	}
	benchRequests(b, reqs, "ok")
}

func BenchmarkBrowserRequestOK(b *testing.B) {
	benchRequest(b, "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n"+
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"+
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"+
		"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"+
		"Connection: keep-alive\r\nCookie: PHPSID=0123456789abcdef0123; theme=dark\r\n"+
		"Upgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n\r\n", "ok")
}

func BenchmarkPostOK(b *testing.B) {
	benchRequest(b, "POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nname=walkor", NewResponse(200, nil, "ok"))
}

func BenchmarkChunkedPostOK(b *testing.B) {
	benchRequest(b, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "ok")
}

// BenchmarkSlowHead is a head arriving in 16-byte reads: each read costs one
// Input that resumes where the last one stopped.
func BenchmarkSlowHead(b *testing.B) {
	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nX-Pad: " +
		"0123456789012345678901234567890123456789012345678901234567890123456789\r\n\r\n")
	p, c := &Protocol{}, newFakeConn()
	b.ReportAllocs()
	for b.Loop() {
		for end := 16; ; end += 16 {
			end = min(end, len(req))
			n, err := p.Input(req[:end], c)
			if err != nil {
				b.Fatal(err)
			}
			if n > 0 {
				break
			}
		}
		if _, err := p.Decode(req, c); err != nil {
			b.Fatal(err)
		}
		c.state.(*connState).pending = c.state.(*connState).pending[:0]
	}
}
