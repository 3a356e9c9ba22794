package http

import (
	"testing"
	"time"
)

// FuzzServerSentEvents checks that whatever the fields hold, the encoded event
// parses back (by the WHATWG rules) as exactly one event with the same fields,
// line breaks normalised and CR/LF/NUL gone from event and id.
func FuzzServerSentEvents(f *testing.F) {
	f.Add("", "message", "1", int64(0), "hello")
	f.Add("keep-alive", "", "", int64(2000), "")
	f.Add("a\r\nb", "x\ny", "1\x002", int64(-5), "l1\rl2\r\nl3\n")
	f.Add("\n", "\r", "\n", int64(1), "\r\n\r\n")
	f.Add(":", "data: x", "id: y", int64(1<<40), " lead\ttab\x00nul")
	f.Fuzz(func(t *testing.T, comment, event, id string, retryMs int64, data string) {
		e := &ServerSentEvents{Comment: comment, Event: event, ID: id, Retry: time.Duration(retryMs) * time.Millisecond, Data: data}
		if retryMs > int64(1<<62)/int64(time.Millisecond) || retryMs < -int64(1<<62)/int64(time.Millisecond) {
			e.Retry = 0
		}
		roundTrip(t, e)
	})
}
