package eventloop

import (
	"errors"
	"log/slog"
	"net"
	"os"
)

func (p *portablePoller) listenPacket(pc *PacketConn, f *os.File) error {
	c, err := net.FilePacketConn(f)
	if err != nil {
		return err
	}
	np := &netPacket{l: p.l, pc: pc, c: c, ack: make(chan struct{}, 1), stop: make(chan struct{})}
	pc.addr = c.LocalAddr()
	pc.io = np
	p.l.wg.Add(1)
	go np.readLoop()
	return nil
}

// netPacket reads datagrams on its own goroutine and hands each to the loop,
// waiting until the loop is done with the buffer.
type netPacket struct {
	l    *Loop
	pc   *PacketConn
	c    net.PacketConn
	ack  chan struct{}
	stop chan struct{}

	held    []byte // a datagram that arrived while paused
	heldTo  net.Addr
	holding bool
}

func (np *netPacket) readLoop() {
	defer np.l.wg.Done()
	buf := make([]byte, MaxDatagramSize)
	for {
		n, from, err := np.c.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				slog.Error("workerman: read datagram", "err", err)
			}
			return
		}
		b := buf[:n]
		np.l.Post(func() { np.deliver(b, from) })
		select {
		case <-np.ack:
		case <-np.stop:
			return
		}
	}
}

func (np *netPacket) deliver(b []byte, from net.Addr) {
	pc := np.pc
	if pc.paused && !pc.closed {
		np.held, np.heldTo, np.holding = b, from, true
		return
	}
	if !pc.closed {
		pc.onPacket(pc, b, from)
	}
	np.release()
}

func (np *netPacket) release() {
	select {
	case np.ack <- struct{}{}:
	default:
	}
}

func (np *netPacket) setRead(on bool) {
	if on && np.holding {
		np.l.Post(func() {
			if np.holding && !np.pc.paused {
				b, from := np.held, np.heldTo
				np.held, np.heldTo, np.holding = nil, nil, false
				np.deliver(b, from)
			}
		})
	}
}

func (np *netPacket) writeTo(b []byte, to net.Addr) error {
	_, err := np.c.WriteTo(b, to)
	return err
}

func (np *netPacket) close() {
	close(np.stop)
	np.c.Close()
}
