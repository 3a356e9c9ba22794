package connection

import (
	"reflect"
	"slices"
	"sync/atomic"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// The open connections of the process by id, in tables: each worker's (the
// one its Connections returns, given in Options.Table) and one of client
// connections. A connection is in one table, so it costs one map entry, from
// its accept until after its OnClose. Loop-only.
var (
	clients = map[uint64]*TcpConnection{}
	tables  = []map[uint64]*TcpConnection{clients}
	open    int // connections in the tables
)

// list puts the connection in its table, and the table among the tables.
func (c *TcpConnection) list() {
	if c.table == nil {
		c.table = clients
	}
	if len(c.table) == 0 && !listedTable(c.table) {
		// Tables that emptied go first: a worker that stopped leaves none.
		tables = slices.DeleteFunc(tables, func(t map[uint64]*TcpConnection) bool {
			return len(t) == 0 && !sameTable(t, clients)
		})
		tables = append(tables, c.table)
	}
	c.table[c.id] = c
	open++
}

// unlist takes the connection out of its table once it is gone.
func (c *TcpConnection) unlist() {
	delete(c.table, c.id)
	if open--; open == 0 {
		outputs.stop()
	}
}

func listedTable(t map[uint64]*TcpConnection) bool {
	return slices.ContainsFunc(tables, func(u map[uint64]*TcpConnection) bool { return sameTable(t, u) })
}

func sameTable(a, b map[uint64]*TcpConnection) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// Each calls fn for every open connection of the process, accepted or
// dialled, until fn returns false (Workerman's TcpConnection::$connections).
// Loop-only.
func Each(fn func(c *TcpConnection) bool) {
	for _, t := range tables {
		for _, c := range t {
			if !fn(c) {
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
