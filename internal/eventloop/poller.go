package eventloop

import (
	"net"
	"os"
	"time"
)

// poller is a backend's way of waiting: for sockets, for a wake-up from
// another goroutine, or for the next timer.
type poller interface {
	// wait sleeps at most timeout (-1: until woken) and dispatches what is ready.
	wait(timeout time.Duration)
	// wake ends a wait early. Safe from any goroutine.
	wake()
	close()
	// listen starts watching a dup of f's listening socket.
	listen(ln *Listener, f *os.File) error
	// adopt takes over a connected socket; start begins delivering its
	// events once the caller has set its handler.
	adopt(nc net.Conn) (*Conn, error)
	start(c *Conn)
	// eachConn calls fn for every connection it watches; fn may close it.
	eachConn(fn func(c *Conn))
	// listenPacket starts reading a dup of f's datagram socket.
	listenPacket(pc *PacketConn, f *os.File) error
}
