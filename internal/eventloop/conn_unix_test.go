//go:build unix

package eventloop

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

func TestWritesTheKernelCannotTakeAtOnceWaitAndDrain(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		// Small kernel buffers on both sides and a peer that reads slowly:
		// most of the 4 MiB must wait in the connection's output.
		sndbuf := func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096) }
		rcvbuf := func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10) }
		c, p, peer := acceptedWith(t, l, sndbuf, rcvbuf)
		want := bytes.Repeat([]byte("0123456789abcdef"), 256<<10)
		var waiting int
		l.Exec(func() {
			c.Write(want)
			l.flush()
			waiting = c.Buffered()
		})
		if waiting == 0 {
			t.Fatal("the kernel took 4 MiB at once through a 4 KiB send buffer")
		}
		got := make([]byte, 0, len(want))
		buf := make([]byte, 16<<10)
		for len(got) < len(want) {
			n, err := peer.Read(buf)
			if err != nil {
				t.Fatalf("after %d of %d bytes: %v", len(got), len(want), err)
			}
			got = append(got, buf[:n]...)
			if len(got)%(1<<20) < n {
				time.Sleep(time.Millisecond) // read slowly now and then
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatal("the bytes arrived out of order or changed")
		}
		eventually(t, l, "OnDrain after the last byte", func() bool { return len(p.drains) > 0 })
		l.Exec(func() {
			if c.Buffered() != 0 || c.BytesWritten != int64(len(want)) || c.out != nil {
				t.Errorf("drained: Buffered %d, BytesWritten %d of %d, output buffer kept %v", c.Buffered(), c.BytesWritten, len(want), c.out != nil)
			}
			if len(p.drains) != 1 {
				t.Errorf("OnDrain ran %d times for one write", len(p.drains))
			}
			if l.backend == Epoll && !p.drains[0] {
				t.Error("OnDrain says nothing waited for writability")
			}
		})
	})
}
