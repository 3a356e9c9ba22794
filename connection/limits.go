package connection

import "time"

// Defaults for the per-connection limits; a worker may set its own.
const (
	DefaultMaxSendBufferSize = 1 << 20
	DefaultMaxPackageSize    = 10 << 20
	// LingerTimeout is how long End waits for the peer to close after the
	// connection's reply is flushed and its write side shut.
	LingerTimeout = time.Second
	// DefaultCloseTimeout is how long a closing connection may take to
	// write out what it was sent before it is destroyed.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultWriteTimeout is how long output may wait without the peer
	// taking a byte of it before the connection is destroyed.
	DefaultWriteTimeout = 60 * time.Second
)

// Limits bound what one connection may hold; zero means the default.
type Limits struct {
	// MaxSendBufferSize caps the bytes waiting for the peer: a Send that finds
	// the buffer at the cap is dropped (DefaultMaxSendBufferSize).
	MaxSendBufferSize int
	// MaxPackageSize caps one package, and the bytes held while waiting for
	// one (DefaultMaxPackageSize).
	MaxPackageSize int
	// CloseTimeout bounds how long Close, End and a protocol's close wait
	// for the send buffer to drain; past it the connection is destroyed with
	// a logged reason (DefaultCloseTimeout; negative: wait for ever).
	CloseTimeout time.Duration
	// WriteTimeout bounds how long output may wait while the peer takes
	// none of it; past it the connection is destroyed with a logged reason
	// (DefaultWriteTimeout; negative: no limit).
	WriteTimeout time.Duration
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

// closeTimeout is CloseTimeout with the default applied; 0 means none.
func (l *Limits) closeTimeout() time.Duration { return orDefault(l.CloseTimeout, DefaultCloseTimeout) }

// writeTimeout is WriteTimeout with the default applied; 0 means none.
func (l *Limits) writeTimeout() time.Duration { return orDefault(l.WriteTimeout, DefaultWriteTimeout) }

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d < 0:
		return 0
	case d == 0:
		return def
	}
	return d
}
