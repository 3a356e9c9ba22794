package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/panjf2000/gnet/v2"
)

func TestFrame(t *testing.T) {
	get := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	post := "POST /f HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\n\r\nhello"
	for _, tc := range []struct {
		name, in  string
		n         int
		keepAlive bool
		bad       bool
	}{
		{name: "get", in: get, n: len(get), keepAlive: true},
		{name: "pipelined: the first only", in: get + post, n: len(get), keepAlive: true},
		{name: "body", in: post + get, n: len(post), keepAlive: true},
		{name: "head incomplete", in: get[:len(get)-1]},
		{name: "body incomplete", in: post[:len(post)-1]},
		{name: "close", in: "GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", n: 37},
		{name: "1.0", in: "GET / HTTP/1.0\r\n\r\n", n: 18},
		{name: "1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", n: 42, keepAlive: true},
		{name: "chunked", in: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", bad: true},
		{name: "bad length", in: "POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\n", bad: true},
		{name: "bad version", in: "GET / HTTP/2.0\r\n\r\n", bad: true},
		{name: "no target", in: "GET HTTP/1.1\r\n\r\n", bad: true},
		{name: "bare LF", in: "GET / HTTP/1.1\nHost: x\r\n\r\n", bad: true},
		{name: "header without colon", in: "GET / HTTP/1.1\r\nHost\r\n\r\n", bad: true},
		{name: "head too long", in: "GET /" + strings.Repeat("a", maxHead) + " HTTP/1.1\r\n", bad: true},
	} {
		n, keepAlive, err := frame([]byte(tc.in))
		if (err != nil) != tc.bad || n != tc.n || keepAlive != tc.keepAlive {
			t.Errorf("%s: frame = %d, %v, %v; want %d, %v, bad %v", tc.name, n, keepAlive, err, tc.n, tc.keepAlive, tc.bad)
		}
	}
}

// A real client on a real socket: 16 pipelined requests split at every
// length, then one that closes.
func TestServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{booted: make(chan gnet.Engine, 1)}
	done := make(chan error, 1)
	go func() { done <- gnet.Run(s, "tcp://"+addr, gnet.WithNumEventLoop(1)) }()
	var engine gnet.Engine
	select {
	case err := <-done:
		t.Fatal(err)
	case engine = <-s.booted:
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 15) + "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
	go func() {
		for i := 0; i < len(req); i += 7 {
			c.Write([]byte(req[i:min(i+7, len(req))]))
		}
		c.Write([]byte("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"))
	}()
	r := bufio.NewReader(c)
	for i := range 17 {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if got := fmt.Sprint(resp.StatusCode, string(body), resp.Close); got != fmt.Sprint(200, "ok", i == 16) {
			t.Errorf("response %d: %s", i, got)
		}
	}
	if _, err := r.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close: %v, want EOF", err)
	}
	if err := engine.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
}
