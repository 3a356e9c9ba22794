package connection

import "time"

// Defaults for the per-connection limits; a worker may set its own.
const (
	DefaultMaxSendBufferSize = 1 << 20
	DefaultMaxPackageSize    = 10 << 20
	// LingerTimeout is how long End waits for the peer to close after the
	// connection's reply is flushed and its write side shut.
	LingerTimeout = time.Second
)

// Limits bound what one connection may hold; zero means the default.
type Limits struct {
	// MaxSendBufferSize caps the bytes waiting for the peer: a Send that finds
	// the buffer at the cap is dropped (DefaultMaxSendBufferSize).
	MaxSendBufferSize int
	// MaxPackageSize caps one package, and the bytes held while waiting for
	// one (DefaultMaxPackageSize).
	MaxPackageSize int
}

// withDefaults fills in the zero limits.
func (l *Limits) withDefaults() {
	if l.MaxSendBufferSize <= 0 {
		l.MaxSendBufferSize = DefaultMaxSendBufferSize
	}
	if l.MaxPackageSize <= 0 {
		l.MaxPackageSize = DefaultMaxPackageSize
	}
}
