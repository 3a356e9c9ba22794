package main

import (
	"bufio"
	"net"
	"sync/atomic"
	"testing"

	"github.com/workerman-go/workerman/internal/nettest"
)

func TestEchoMode(t *testing.T) {
	ln := listen(t)
	var lines atomic.Int64
	nettest.GoServe(t, ln, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines.Add(1)
			if _, err := c.Write([]byte("echo: " + l)); err != nil {
				return
			}
		}
	})
	var rep loadReport
	runJSON(t, &rep, "echo", "-c", "3", "-p", "4", "-n", "200", "-size", "10", "-d", "60s", ln.Addr().String())
	if rep.Responses != 200 || lines.Load() != 200 || rep.Errors.total() != 0 {
		t.Fatalf("responses %d, server saw %d lines, errors %+v", rep.Responses, lines.Load(), rep.Errors)
	}
	if rep.Mode != "echo" || rep.Latency.Samples != 200 {
		t.Fatalf("report %+v", rep)
	}
}
