package connection

import (
	"reflect"
	"slices"
	"sync/atomic"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// The open connections of the process by id, in tables: each worker's (the
// one its Connections returns, given in Options.Table) and one of client
// connections. A connection is in one table, so it costs one map entry, from
// its accept until after its OnClose (Each and Lookup pass over it from the
// start of its OnClose, the worker's table keeps it to the end). Loop-only.
var (
	clients     = &origin{table: map[uint64]*TcpConnection{}}
	unixClients = &origin{table: clients.table, unix: true}
	origins     = []*origin{clients} // those with open connections, and clients
	open        int                  // connections in the tables
)

// origin is what the connections of a worker share: its name, its
// transport, its table and its protocol. A client connection with a
// protocol has one of its own that shares the clients' table.
type origin struct {
	worker   string
	table    map[uint64]*TcpConnection
	protocol protocols.Protocol
	unix     bool // unix sockets, not tcp
}

// originOf is the origin of a worker's connections, one for all of them
// (one each when the protocol's type cannot be compared). origins lists each
// table once.
func originOf(worker string, table map[uint64]*TcpConnection, p protocols.Protocol, unix bool) *origin {
	if table == nil {
		table = map[uint64]*TcpConnection{}
	}
	canShare := p == nil || reflect.TypeOf(p).Comparable()
	listed := false
	for _, o := range origins {
		if sameTable(o.table, table) {
			if canShare && o.worker == worker && o.protocol == p && o.unix == unix {
				return o
			}
			listed = true
		}
	}
	o := &origin{worker: worker, table: table, protocol: p, unix: unix}
	if !listed {
		// Origins without connections go first: a worker that stopped leaves none.
		origins = slices.DeleteFunc(origins, func(o *origin) bool { return len(o.table) == 0 && o != clients })
		origins = append(origins, o)
	}
	return o
}

func sameTable(a, b map[uint64]*TcpConnection) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// list puts the connection in its table.
func (c *TcpConnection) list() {
	c.origin.table[c.id] = c
	open++
}

// unlist takes the connection out of its table once it is gone.
func (c *TcpConnection) unlist() {
	delete(c.origin.table, c.id)
	if open--; open == 0 {
		outputs.stop()
	}
}

// Each calls fn for every open connection of the process, accepted or
// dialled, until fn returns false (Workerman's TcpConnection::$connections).
// Loop-only.
func Each(fn func(c *TcpConnection) bool) {
	for _, o := range origins {
		for _, c := range o.table {
			if c.counted && !fn(c) { // counted: not yet in its OnClose
				return
			}
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
