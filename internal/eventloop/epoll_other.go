//go:build !linux

package eventloop

const epollAvailable = false

func newPoller(l *Loop) (poller, error) { return newPortablePoller(l), nil }

// backend is what does c's I/O: its goroutines, the only kind here.
func (c *Conn) backend() connIO { return c.portable }
