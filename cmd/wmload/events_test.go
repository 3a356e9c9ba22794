package main

import (
	"reflect"
	"testing"
)

type stampedEvent struct {
	stamp   int64
	stamped bool
}

// parseEvents feeds s to a parser in pieces of at most step bytes, keeping
// unparsed bytes as a client does, and returns the events.
func parseEvents(s string, step int) ([]stampedEvent, int) {
	var (
		p      eventParser
		got    []stampedEvent
		buffer []byte
	)
	emit := func(stamp int64, ok bool) { got = append(got, stampedEvent{stamp, ok}) }
	for i := 0; i < len(s); i += step {
		buffer = append(buffer, s[i:min(i+step, len(s))]...)
		used := p.feed(buffer, emit)
		buffer = buffer[used:]
	}
	return got, len(buffer)
}

func TestEventParser(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []stampedEvent
	}{
		{"the seed's event is one event", "event: message\nid: 1\ndata: hello\n\n", []stampedEvent{{}}},
		{"CRLF and CR end lines too", "data: a\r\n\r\ndata: b\r\rdata: c\n\n", []stampedEvent{{}, {}, {}}},
		{"comments and events without data dispatch nothing", ": keep-alive\n\nevent: x\nid: 2\n\nretry: 10\n\n", nil},
		{"several data lines make one event", "data: a\ndata: b\ndata\n\n", []stampedEvent{{}}},
		{"a stamp is read from the first data line", "data: ts=1712345678123456789 rest\ndata: ts=5\n\n", []stampedEvent{{1712345678123456789, true}}},
		{"a stamp needs the ts= prefix", "data: 123\n\ndata:ts=77\n\n", []stampedEvent{{}, {77, true}}},
		{"a leading byte order mark is skipped", "\xEF\xBB\xBFdata: x\n\n", []stampedEvent{{}}},
		{"an event not yet ended by a blank line is not dispatched", "data: x\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for step := 1; step <= len(tc.in); step++ {
				got, _ := parseEvents(tc.in, step)
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("fed %d bytes at a time: events %v, want %v", step, got, tc.want)
				}
			}
		})
	}
}

func FuzzEventParser(f *testing.F) {
	f.Add("event: message\nid: 1\ndata: hello\n\n", 3)
	f.Add("data: ts=12\r\n\r\n: c\r\rdata\n\n", 1)
	f.Fuzz(func(t *testing.T, s string, step int) {
		if step <= 0 || step > len(s) {
			return
		}
		whole, leftWhole := parseEvents(s, len(s))
		split, leftSplit := parseEvents(s, step)
		// How the bytes are split across reads must not change the events,
		// except that a final CR may wait for a byte that never comes.
		if !reflect.DeepEqual(whole, split) || leftWhole != leftSplit {
			t.Fatalf("whole: %v (%d left), in pieces of %d: %v (%d left)", whole, leftWhole, step, split, leftSplit)
		}
	})
}
