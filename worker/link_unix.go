//go:build unix

package worker

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"sync"
)

// The master and each child talk over a socketpair the child inherits as
// parentFD, one JSON message per line. The child says when it is ready (or why
// it could not start) and answers the master's questions; the master sees
// the child go when the pair closes, and the child sees the master go the
// same way.

// linkMsg is one message either way.
type linkMsg struct {
	ID          uint64             `json:"id,omitempty"`
	Cmd         string             `json:"cmd,omitempty"`
	Ready       bool               `json:"ready,omitempty"`
	Error       string             `json:"error,omitempty"`
	Figures     *processFigures    `json:"figures,omitempty"`
	Connections []connectionStatus `json:"connections,omitempty"`
}

const (
	askStatus      = "status"
	askConnections = "connections"
)

// link is one end of the pair.
type link struct {
	conn net.Conn
	wmu  sync.Mutex
	enc  *json.Encoder
}

func newLink(c net.Conn) *link { return &link{conn: c, enc: json.NewEncoder(c)} }

func (l *link) send(m linkMsg) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.enc.Encode(m)
}

// each calls fn for every message until the other end closes.
func (l *link) each(fn func(linkMsg)) error {
	sc := bufio.NewScanner(l.conn)
	sc.Buffer(make([]byte, 4<<10), 1<<30) // grows for a long connection list, as it needs
	for sc.Scan() {
		var m linkMsg
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return err
		}
		fn(m)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.EOF
}

func (l *link) close() { l.conn.Close() }
