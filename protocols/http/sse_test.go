package http

import (
	"strings"
	"testing"
	"time"
)

func TestServerSentEventsBytes(t *testing.T) {
	tests := []struct {
		name string
		e    ServerSentEvents
		want string
	}{
		{"the seed's event", ServerSentEvents{Event: "message", Data: "hello", ID: "1"},
			"event: message\nid: 1\ndata: hello\n\n"},
		{"Workerman's field order: comment, event, id, retry, data",
			ServerSentEvents{Data: "some thing", Retry: 5 * time.Second, ID: "1000", Event: "ping", Comment: "c"},
			": c\nevent: ping\nid: 1000\nretry: 5000\ndata: some thing\n\n"},
		{"data splits at LF, CRLF and CR into one line each", ServerSentEvents{Data: "a\nb\r\nc\rd"},
			"data: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"a trailing newline makes an empty last data line", ServerSentEvents{Data: "a\n"},
			"data: a\ndata: \n\n"},
		{"a comment splits into comment lines", ServerSentEvents{Comment: "one\r\ntwo"},
			": one\n: two\n\n"},
		{"CR, LF and NUL are removed from event and id", ServerSentEvents{Event: "a\r\nb", ID: "1\n\x002"},
			"event: ab\nid: 12\n\n"},
		{"retry is written in whole milliseconds", ServerSentEvents{Retry: 1500*time.Millisecond + 700*time.Microsecond},
			"retry: 1500\n\n"},
		{"a negative retry is left out", ServerSentEvents{Retry: -time.Second, Data: "x"},
			"data: x\n\n"},
		{"an empty event is a blank line", ServerSentEvents{}, "\n"},
		{"unicode passes as UTF-8", ServerSentEvents{Data: "héllo, 世界 🎉"}, "data: héllo, 世界 🎉\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.e.appendTo([]byte("x"))); got != "x"+tt.want {
				t.Errorf("\n got %q\nwant %q", got, "x"+tt.want)
			}
		})
	}
}

// wantBlock is what a WHATWG parser must read back from e.
func wantBlock(e *ServerSentEvents) sseBlock {
	lines := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	single := strings.NewReplacer("\r", "", "\n", "", "\x00", "")
	b := sseBlock{Comment: lines.Replace(e.Comment), Event: single.Replace(e.Event), ID: single.Replace(e.ID), Retry: -1, Data: lines.Replace(e.Data)}
	if e.Retry > 0 {
		b.Retry = e.Retry.Milliseconds()
	}
	return b
}

// roundTrip encodes e, parses it back and reports any field that differs.
func roundTrip(t *testing.T, e *ServerSentEvents) {
	t.Helper()
	out := string(e.appendTo(nil))
	blocks, rest := parseEventStream(out)
	if len(blocks) != 1 || rest != "" {
		t.Fatalf("%q: parsed into %d blocks with %q left over, want 1 block and nothing left", out, len(blocks), rest)
	}
	if want := wantBlock(e); blocks[0] != want {
		t.Fatalf("%q parsed back as\n %+v\nwant\n %+v", out, blocks[0], want)
	}
}

func TestServerSentEventsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    ServerSentEvents
	}{
		{"plain fields", ServerSentEvents{Event: "update", ID: "42", Retry: time.Second, Data: "payload"}},
		{"LF in data", ServerSentEvents{Data: "line 1\nline 2"}},
		{"CRLF in data", ServerSentEvents{Data: "line 1\r\nline 2\r\n"}},
		{"lone CR in data", ServerSentEvents{Data: "line 1\rline 2"}},
		{"blank lines in data", ServerSentEvents{Data: "\n\n\r\n\r"}},
		{"data starting with a space and a colon", ServerSentEvents{Data: " : x: y"}},
		{"unicode", ServerSentEvents{Event: "é", ID: "идентификатор", Data: "日本語\n🎉"}},
		{"empty data", ServerSentEvents{Event: "ping", ID: "7"}},
		{"newlines in event and id cannot add fields", ServerSentEvents{Event: "x\ndata: injected", ID: "1\r\nretry: 1"}},
		{"NUL in id is removed so the id counts", ServerSentEvents{ID: "a\x00b", Data: "d"}},
		{"a comment with newlines", ServerSentEvents{Comment: "a\nb\r\nc\rd", Data: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { roundTrip(t, &tt.e) })
	}
}

func TestServerSentEventsStream(t *testing.T) {
	// Several events on one stream: the browser keeps the last id across them.
	var out []byte
	out = (&ServerSentEvents{ID: "1", Data: "a"}).appendTo(out)
	out = (&ServerSentEvents{Data: "b"}).appendTo(out)
	out = heartbeat.appendTo(out)
	blocks, rest := parseEventStream(string(out))
	if len(blocks) != 3 || rest != "" {
		t.Fatalf("%d blocks, rest %q", len(blocks), rest)
	}
	if blocks[1].ID != "1" || blocks[1].Data != "b" {
		t.Errorf("second event %+v, want id 1 carried over and data b", blocks[1])
	}
	if blocks[2].Comment != "keep-alive" || blocks[2].Data != "" {
		t.Errorf("heartbeat %+v, want only the comment keep-alive", blocks[2])
	}
}
