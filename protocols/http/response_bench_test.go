package http

import (
	"testing"
	"time"
)

func BenchmarkAppendText(b *testing.B) {
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		dst = appendText(dst[:0], "ok", keepAlive)
	}
}

func BenchmarkResponseEncode(b *testing.B) {
	r := NewResponse(200, Header{"Content-Type": "application/json", "Cache-Control": "no-store"}, `{"ok":true}`).
		Cookie("theme", "dark mode", CookieOptions{Path: "/", MaxAge: 3600})
	c := newFakeConn()
	o := encodeOpts{keepAlive: true, extra: []string{"Set-Cookie: PHPSID=0123456789abcdef; Path=/; HttpOnly"}}
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = r.encode(dst[:0], c, o)
	}
}

func BenchmarkEventStreamHead(b *testing.B) {
	r := NewResponse(200, Header{"Content-Type": "text/event-stream"}, "\r\n")
	c := newFakeConn()
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = r.encode(dst[:0], c, keepAlive)
	}
}

func BenchmarkServerSentEventsEncode(b *testing.B) {
	e := &ServerSentEvents{Event: "message", ID: "1", Retry: 3 * time.Second, Data: "hello\nworld"}
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		dst = e.appendTo(dst[:0])
	}
}

func BenchmarkChunkEncode(b *testing.B) {
	ch := NewChunk("a chunk of a streamed body")
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		dst = ch.appendTo(dst[:0])
	}
}

// BenchmarkProtocolEncodeEvent is an event through the protocol's Encode, as
// c.Send(event) runs it on an open event stream.
func BenchmarkProtocolEncodeEvent(b *testing.B) {
	p := &Protocol{}
	c := newFakeConn()
	dst := make([]byte, 0, 4096)
	dst, _ = p.Encode(dst, NewResponse(200, Header{"Content-Type": "text/event-stream"}, ""), c)
	e := &ServerSentEvents{Event: "message", ID: "1", Data: "hello"}
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = p.Encode(dst[:0], e, c)
	}
}
