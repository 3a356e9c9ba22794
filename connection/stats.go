package connection

import (
	"sync/atomic"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// live is every open connection of the process, accepted or dialled, by id.
// Loop-only.
var live = map[uint64]*TcpConnection{}

// Each calls fn for every open connection of the process, accepted or
// dialled, until fn returns false (Workerman's TcpConnection::$connections).
// Loop-only.
func Each(fn func(c *TcpConnection) bool) {
	for _, c := range live {
		if !fn(c) {
			return
		}
	}
}

var stats struct {
	connections atomic.Int64
	requests    atomic.Uint64
	sendFail    atomic.Uint64
}

// Statistics are the figures of this process that `status` prints.
type Statistics struct {
	Connections   int64  // open connections
	TotalRequests uint64 // packages received (for raw tcp: reads)
	SendFails     uint64 // sends dropped because a send buffer was full
	Timers        int    // live timers on the process's loop
	Panics        uint64 // panics recovered from callbacks and timers
}

// Stats returns this process's statistics. Safe from any goroutine.
func Stats() Statistics {
	l := eventloop.Default()
	return Statistics{
		Connections:   stats.connections.Load(),
		TotalRequests: stats.requests.Load(),
		SendFails:     stats.sendFail.Load(),
		Timers:        l.TimerCount(),
		Panics:        l.Panics(),
	}
}
