package http

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/timer"
)

// ServerSentEvents is one event of a text/event-stream response. Open the
// stream by sending a Response with Content-Type text/event-stream (only its
// head is written and the connection stays open), then send events:
//
//	c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, ""))
//	c.Send(&http.ServerSentEvents{Event: "message", ID: "1", Data: "hello"})
//
// An event is written as the WHATWG grammar wants, fields in Workerman's
// order: comment, event, id, retry, data, then a blank line. Empty fields are
// left out.
type ServerSentEvents struct {
	// Comment lines are ignored by browsers; they keep idle streams open
	// through proxies (see Heartbeat). Each line of it becomes one ": " line.
	Comment string
	// Event is the event's type ("message" when empty). CR, LF and NUL are
	// removed: they cannot be carried by the field.
	Event string
	// ID becomes the stream's last event ID, which a reconnecting browser
	// sends back as the Last-Event-ID request header. CR, LF and NUL are
	// removed (a browser would ignore an id holding NUL).
	ID string
	// Retry tells the browser how long to wait before reconnecting; it is
	// written in whole milliseconds, and left out when not positive.
	Retry time.Duration
	// Data is the payload. Each line of it (split at CRLF, CR or LF) becomes
	// one "data: " line, and the browser joins them back with LF. An empty
	// Data writes no data line, and a browser dispatches no event without one.
	Data string
}

// appendTo appends the event in text/event-stream form.
func (e *ServerSentEvents) appendTo(dst []byte) []byte {
	if e.Comment != "" {
		dst = appendLinesOf(dst, ": ", e.Comment)
	}
	if e.Event != "" {
		dst = appendSingleLine(dst, "event: ", e.Event)
	}
	if e.ID != "" {
		dst = appendSingleLine(dst, "id: ", e.ID)
	}
	if ms := e.Retry.Milliseconds(); e.Retry > 0 {
		dst = append(dst, "retry: "...)
		dst = strconv.AppendInt(dst, ms, 10)
		dst = append(dst, '\n')
	}
	if e.Data != "" {
		dst = appendLinesOf(dst, "data: ", e.Data)
	}
	return append(dst, '\n')
}

// appendLinesOf appends one prefix line per line of s, splitting at CRLF, CR
// and LF.
func appendLinesOf(dst []byte, prefix, s string) []byte {
	for {
		i := strings.IndexAny(s, "\r\n")
		dst = append(dst, prefix...)
		if i < 0 {
			dst = append(dst, s...)
			return append(dst, '\n')
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, '\n')
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
}

// appendSingleLine appends prefix and s with CR, LF and NUL removed, so that s
// cannot end the field or start another.
func appendSingleLine(dst []byte, prefix, s string) []byte {
	dst = append(dst, prefix...)
	for {
		i := strings.IndexAny(s, "\r\n\x00")
		if i < 0 {
			dst = append(dst, s...)
			return append(dst, '\n')
		}
		dst = append(dst, s[:i]...)
		s = s[i+1:]
	}
}

// heartbeat is the comment Heartbeat sends.
var heartbeat = &ServerSentEvents{Comment: "keep-alive"}

// Heartbeat sends the comment ": keep-alive" on an event stream every
// interval, so that proxies and browsers do not drop a quiet stream. It stops
// by itself once the connection is closed; timer.Del(id) stops it sooner. A
// tick is skipped while the send buffer is full: the peer has bytes coming.
// Safe from any goroutine.
func Heartbeat(c protocols.Conn, interval time.Duration) timer.ID {
	var self atomic.Uint64 // set once Add returns; a first tick may come sooner off the loop
	id := timer.Add(interval, func() {
		if c.SendBufferSize() >= c.SendBufferLimit() {
			return
		}
		if c.Send(heartbeat) != nil {
			timer.Del(timer.ID(self.Load()))
		}
	})
	self.Store(uint64(id))
	return id
}
