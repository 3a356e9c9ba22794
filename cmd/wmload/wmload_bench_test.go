package main

import (
	"bytes"
	"testing"
	"time"
)

func BenchmarkParseResponse(b *testing.B) {
	one := []byte("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok")
	batch := bytes.Repeat(one, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		for buf := batch; len(buf) > 0; {
			f, err := httpFrame(buf)
			if err != nil || f.size == 0 {
				b.Fatal("response not found", err)
			}
			buf = buf[f.size:]
		}
	}
}

func BenchmarkEventParser(b *testing.B) {
	stream := bytes.Repeat([]byte("event: message\nid: 1\ndata: ts=1712345678123456789\n\n"), 64)
	var p eventParser
	n := 0
	emit := func(int64, bool) { n++ }
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		if used := p.feed(stream, emit); used != len(stream) {
			b.Fatalf("used %d of %d bytes", used, len(stream))
		}
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h histogram
	b.ReportAllocs()
	d := time.Duration(0)
	for b.Loop() {
		d += 997
		h.record(d % (50 * time.Millisecond))
	}
}
