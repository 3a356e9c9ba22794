package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/workerman-go/workerman/protocols/http"
)

// The envelope is how an addressed message travels between processes: a
// small binary head, then the value. Every field is length-checked when it
// is read back: a process may receive anything anyone publishes.
//
//	op       1 byte   opSend, opClose, opQuery
//	kind     1 byte   the value's type (send, close) or the question (query)
//	origin   8 bytes  the sending process's node id
//	target   uvarint  a connection id (to one client), else 0
//	excluded uvarint  count, then per client: 8-byte node, uvarint connection id
//	value    the rest: string or bytes as is; an event as four uvarint-prefixed
//	         fields (comment, event, id, data) then uvarint retry in ms

const (
	opSend byte = iota + 1
	opClose
	opQuery
)

// Kinds of value.
const (
	kindString byte = iota + 1
	kindBytes
	kindEvent
)

// Kinds of question.
const (
	askClients byte = iota + 1 // open connections of the process
	askMembers                 // connections of the subject's uid or group
	askOnline                  // is the target connection open
)

// maxExcluded bounds the exclusions of one message.
const maxExcluded = 4096

var errEnvelope = errors.New("cluster: malformed envelope")

// clientRef is a connection anywhere in the cluster.
type clientRef struct {
	node uint64
	conn uint64
}

type envelope struct {
	op, kind byte
	origin   uint64
	target   uint64
	excluded []clientRef
	value    any // string, []byte or *http.ServerSentEvents
}

// kindOf checks that v is a value every protocol can take.
func kindOf(v any) (byte, error) {
	switch v.(type) {
	case string:
		return kindString, nil
	case []byte:
		return kindBytes, nil
	case *http.ServerSentEvents:
		return kindEvent, nil
	case nil:
		return 0, errors.New("cluster: cannot send nil")
	}
	return 0, fmt.Errorf("cluster: cannot send a %T: want a string, a []byte or an *http.ServerSentEvents", v)
}

// appendEnvelope appends e in its wire form.
func appendEnvelope(dst []byte, e *envelope) []byte {
	dst = append(dst, e.op, e.kind)
	dst = binary.BigEndian.AppendUint64(dst, e.origin)
	dst = binary.AppendUvarint(dst, e.target)
	dst = binary.AppendUvarint(dst, uint64(len(e.excluded)))
	for _, r := range e.excluded {
		dst = binary.BigEndian.AppendUint64(dst, r.node)
		dst = binary.AppendUvarint(dst, r.conn)
	}
	switch v := e.value.(type) {
	case string:
		dst = append(dst, v...)
	case []byte:
		dst = append(dst, v...)
	case *http.ServerSentEvents:
		for _, f := range [...]string{v.Comment, v.Event, v.ID, v.Data} {
			dst = binary.AppendUvarint(dst, uint64(len(f)))
			dst = append(dst, f...)
		}
		dst = binary.AppendUvarint(dst, uint64(max(v.Retry.Milliseconds(), 0)))
	}
	return dst
}

// parseEnvelope reads what appendEnvelope wrote. The value of a string or
// bytes kind is copied out of b; queries carry none.
func parseEnvelope(b []byte) (envelope, error) {
	if len(b) < 10 {
		return envelope{}, errEnvelope
	}
	e := envelope{op: b[0], kind: b[1], origin: binary.BigEndian.Uint64(b[2:10])}
	r := reader{b: b[10:]}
	e.target = r.uvarint()
	n := r.uvarint()
	if n > maxExcluded {
		return envelope{}, errEnvelope
	}
	if n > 0 {
		e.excluded = make([]clientRef, 0, n)
	}
	for range n {
		node := r.uint64()
		e.excluded = append(e.excluded, clientRef{node, r.uvarint()})
	}
	if r.bad {
		return envelope{}, errEnvelope
	}
	switch e.op {
	case opQuery, opClose:
		return e, nil
	case opSend:
	default:
		return envelope{}, errEnvelope
	}
	switch e.kind {
	case kindString:
		e.value = string(r.b)
	case kindBytes:
		e.value = append([]byte(nil), r.b...)
	case kindEvent:
		ev := &http.ServerSentEvents{}
		for _, f := range [...]*string{&ev.Comment, &ev.Event, &ev.ID, &ev.Data} {
			*f = r.field()
		}
		retry := r.uvarint()
		if r.bad || len(r.b) != 0 || retry > uint64(time.Duration(1<<62)/time.Millisecond) {
			return envelope{}, errEnvelope
		}
		ev.Retry = time.Duration(retry) * time.Millisecond
		e.value = ev
	default:
		return envelope{}, errEnvelope
	}
	return e, nil
}

// reader consumes b field by field; any short or bad field sets bad.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uint64() uint64 {
	if len(r.b) < 8 {
		r.bad = true
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) field() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
