// Command gnet is the benchmark's event-loop peer: a gnet v2 server (the
// fastest event-loop library for Go) answering every request with "ok", in
// the same bytes as Workerman-Go's answer. It frames pipelined HTTP/1.1
// requests itself (frame.go) and writes the answers to one read batch at
// once, as gnet's own HTTP example does.
//
//	gnet -addr 127.0.0.1:8083 -loops 1
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// The answers, byte for byte Workerman-Go's to c.Send("ok").
var (
	okKeepAlive = []byte("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok")
	okClose     = []byte("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok")
	badRequest  = []byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
)

type server struct {
	gnet.BuiltinEventEngine
	booted chan gnet.Engine // the engine, once it listens
}

// out is a connection's answers to one read batch.
type out struct{ buf []byte }

func (s *server) OnBoot(e gnet.Engine) gnet.Action {
	s.booted <- e
	return gnet.None
}

func (s *server) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	c.SetContext(&out{buf: make([]byte, 0, 4096)})
	return nil, gnet.None
}

func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	o := c.Context().(*out)
	in, _ := c.Peek(-1)
	used, action := 0, gnet.None
	for used < len(in) {
		n, keepAlive, err := frame(in[used:])
		if err != nil {
			o.buf = append(o.buf, badRequest...)
			action = gnet.Close
			break
		}
		if n == 0 {
			break // the rest of a request is still on its way
		}
		used += n
		if !keepAlive {
			o.buf = append(o.buf, okClose...)
			action = gnet.Close
			break
		}
		o.buf = append(o.buf, okKeepAlive...)
	}
	if len(o.buf) > 0 {
		c.Write(o.buf) // what the socket does not take, gnet keeps
		o.buf = o.buf[:0]
	}
	if used > 0 { // Discard(0) would drop everything
		c.Discard(used)
	}
	return action
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8083", "listen address")
	loops := flag.Int("loops", runtime.GOMAXPROCS(0), "event loops")
	flag.Parse()
	s := &server{booted: make(chan gnet.Engine, 1)}
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(s, "tcp://"+*addr, gnet.WithMulticore(true), gnet.WithNumEventLoop(*loops))
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-done:
		log.Fatal(err)
	case <-sig:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := (<-s.booted).Stop(ctx); err != nil {
		log.Fatal(err)
	}
}
