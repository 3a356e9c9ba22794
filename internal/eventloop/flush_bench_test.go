package eventloop

import (
	"io"
	"net"
	"testing"
)

// BenchmarkBroadcast sends one small event to each of 256 connections from
// one callback, as a timer fanning a message out does; peers read on
// goroutines of their own. In steady state it allocates nothing: the send
// buffers go back to the free list batch by batch.
func BenchmarkBroadcast(b *testing.B) {
	l := newLoop(Epoll)
	if !epollAvailable {
		l = newLoop(Portable)
	}
	if err := l.Acquire(); err != nil {
		b.Fatal(err)
	}
	defer l.Release()
	sending := false
	const n = 256
	conns := make(chan *Conn, n)
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f, _ := nl.(*net.TCPListener).File()
	var ln *Listener
	l.Exec(func() {
		ln, err = l.Listen(f, false, func(c *Conn) { c.SetHandler(&drainProbe{sending: &sending}); conns <- c })
	})
	f.Close()
	nl.Close()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Exec(ln.Close)
	cs := make([]*Conn, n)
	for i := range n {
		peer, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer peer.Close()
		go io.Copy(io.Discard, peer)
		cs[i] = <-conns
	}
	event := []byte("data: ts=1234567890123456789\n\n")
	broadcast := func() {
		for _, c := range cs {
			c.Write(event)
		}
	}
	// A task made once, so that the loop's own hand-off allocates nothing.
	done := make(chan struct{}, 1)
	task := func() {
		broadcast()
		done <- struct{}{}
	}
	l.Post(task) // the free list fills once
	<-done
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.Post(task)
		<-done
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/conn")
}
