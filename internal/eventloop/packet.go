package eventloop

import (
	"fmt"
	"net"
	"os"
)

// MaxDatagramSize is the largest datagram a packet socket reads whole.
const MaxDatagramSize = 65535

// PacketConn is a bound datagram (UDP) socket owned by a loop. Its methods are
// loop-only.
type PacketConn struct {
	loop     *Loop
	io       packetIO
	onPacket func(pc *PacketConn, b []byte, from net.Addr)
	addr     net.Addr
	paused   bool
	closed   bool
	scratch  []byte
}

type packetIO interface {
	writeTo(b []byte, to net.Addr) error
	setRead(on bool)
	close()
}

// ListenPacket makes the loop read datagrams from a dup of the bound socket in
// f (the caller keeps f). onPacket runs on the loop for each datagram; b is
// valid only until it returns. Loop-only.
func (l *Loop) ListenPacket(f *os.File, onPacket func(pc *PacketConn, b []byte, from net.Addr)) (*PacketConn, error) {
	if l.poll == nil {
		return nil, ErrStopped
	}
	pc := &PacketConn{loop: l, onPacket: onPacket}
	if err := l.poll.listenPacket(pc, f); err != nil {
		return nil, fmt.Errorf("eventloop: listen packet: %w", err)
	}
	l.pcs[pc] = struct{}{}
	return pc, nil
}

// Loop returns the loop that owns pc. Safe from any goroutine.
func (pc *PacketConn) Loop() *Loop { return pc.loop }

// Addr is the socket's own address. Safe from any goroutine.
func (pc *PacketConn) Addr() net.Addr { return pc.addr }

// Scratch returns an empty buffer for building one datagram; it is reused by
// the next call.
func (pc *PacketConn) Scratch() []byte {
	if pc.scratch == nil {
		pc.scratch = make([]byte, 0, MaxDatagramSize)
	}
	return pc.scratch[:0]
}

// WriteTo sends one datagram to the given address now. Datagrams are never
// buffered: one the kernel cannot take is dropped with an error.
func (pc *PacketConn) WriteTo(b []byte, to net.Addr) error {
	if pc.closed {
		return net.ErrClosed
	}
	return pc.io.writeTo(b, to)
}

// Pause stops reading datagrams; Resume reads again.
func (pc *PacketConn) Pause() {
	if !pc.paused && !pc.closed {
		pc.paused = true
		pc.io.setRead(false)
	}
}

// Resume reads datagrams again after Pause.
func (pc *PacketConn) Resume() {
	if pc.paused && !pc.closed {
		pc.paused = false
		pc.io.setRead(true)
	}
}

// Close closes the loop's copy of the socket.
func (pc *PacketConn) Close() {
	if pc.closed {
		return
	}
	pc.closed = true
	pc.io.close()
	delete(pc.loop.pcs, pc)
}
