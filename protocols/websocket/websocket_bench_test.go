package websocket

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkEchoText is the server's work for a small text message echoed
// back: Input frames it, Decode unmasks and delivers it, Encode frames the
// answer. The connection remembers its last short text, so a repeated
// message costs no allocation.
func BenchmarkEchoText(b *testing.B) {
	benchEcho(b, appendFrame(nil, opText, `{"type":"say","text":"hello, room"}`, true))
}

// BenchmarkEchoBinary is the same for a small binary message, which the
// application gets as a copy of its own.
func BenchmarkEchoBinary(b *testing.B) {
	benchEcho(b, appendFrame(nil, opBinary, []byte("0123456789abcdef0123456789abcdef"), true))
}

func benchEcho(b *testing.B, wire []byte) { benchEchoOn(b, openConn(1<<20, false), wire) }

func benchEchoOn(b *testing.B, c *fakeConn, wire []byte) {
	buf := make([]byte, len(wire))
	out := make([]byte, 0, 256)
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, wire) // Decode unmasks in place
		n, err := Default.Input(buf, c)
		if err != nil || n != len(buf) {
			b.Fatalf("Input = %d, %v", n, err)
		}
		msg, err := Default.Decode(buf[:n], c)
		if err != nil {
			b.Fatal(err)
		}
		out, err = Default.Encode(out[:0], msg, c)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSend is a client framing a small text message: header,
// random mask key, masked payload.
func BenchmarkClientSend(b *testing.B) {
	c := openConn(1<<20, true)
	out := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		out, _ = DefaultClient.Encode(out[:0], "hello, room", c)
	}
}

// BenchmarkMask is the XOR of a 4 KiB payload.
func BenchmarkMask(b *testing.B) {
	p := make([]byte, 4096)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		mask([4]byte{1, 2, 3, 4}, p)
	}
}

// deflateMsg is a JSON-like text of about 1 KiB, the kind of message
// compression is for.
var deflateMsg = func() string {
	var b strings.Builder
	for i := 0; b.Len() < 1024; i++ {
		fmt.Fprintf(&b, `{"id":%d,"user":"user%d","text":"message number %d in the room"},`, i, i%7, i)
	}
	return b.String()
}()

// BenchmarkEchoDeflate is BenchmarkEchoText for a compressed 1 KiB text
// message with no context takeover: the pooled inflater, the string, the
// pooled compressor.
func BenchmarkEchoDeflate(b *testing.B) {
	c := openDeflateConn(1<<20, false, false)
	z := &deflate{threshold: DefaultCompressThreshold}
	wire := z.appendCompressed(nil, opText, []byte(deflateMsg), true)
	benchEchoOn(b, c, wire)
	b.ReportMetric(float64(len(wire)), "wire-bytes")
}

// BenchmarkEchoText1K is the same 1 KiB message uncompressed, to weigh
// BenchmarkEchoDeflate against: its string and the string's box are the two
// allocations of both.
func BenchmarkEchoText1K(b *testing.B) { benchEcho(b, appendFrame(nil, opText, deflateMsg, true)) }

// BenchmarkEchoTextDeflateNegotiated is BenchmarkEchoText on a connection
// that negotiated compression: a message under the threshold costs nothing more.
func BenchmarkEchoTextDeflateNegotiated(b *testing.B) {
	benchEchoOn(b, openDeflateConn(1<<20, false, false), appendFrame(nil, opText, `{"type":"say","text":"hello, room"}`, true))
}

// BenchmarkDeflateMemoryPerConn is what an idle connection holds once it
// exchanged a 1 KiB message each way: uncompressed (the baseline), and
// compressed without and with context takeover, which keeps a compressor of
// its own and the peer's last window.
func BenchmarkDeflateMemoryPerConn(b *testing.B) {
	for _, mode := range []string{"uncompressed", "no-takeover", "takeover"} {
		b.Run(mode, func(b *testing.B) {
			const n = 40
			wire := appendFrame(nil, opText, deflateMsg, true)
			if mode != "uncompressed" {
				wire = (&deflate{}).appendCompressed(nil, opText, []byte(deflateMsg), true)
			}
			for b.Loop() {
				conns := make([]*fakeConn, n)
				before := heapInUse()
				for i := range conns {
					conns[i] = openConn(1<<20, false)
					if mode != "uncompressed" {
						conns[i] = openDeflateConn(1<<20, mode == "takeover", mode == "takeover")
					}
					msgs, err := feed(Default, conns[i], bytes.Clone(wire))
					if err != nil || len(msgs) != 1 {
						b.Fatalf("fed %v, %v", msgs, err)
					}
					if _, err := Default.Encode(nil, msgs[0], conns[i]); err != nil {
						b.Fatal(err)
					}
					conns[i].out = nil // what the socket would have sent
				}
				b.ReportMetric(float64(heapInUse()-before)/n, "bytes/conn")
				runtime.KeepAlive(conns)
			}
		})
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC() // and the pools' victim caches
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkEchoDeflateFragmented is BenchmarkEchoDeflate for the same
// message sent in three fragments, inflated as they come.
func BenchmarkEchoDeflateFragmented(b *testing.B) {
	c := openDeflateConn(1<<20, false, false)
	z := &deflate{}
	h, _ := parseHeader(z.appendCompressed(nil, opText, []byte(deflateMsg), false))
	compressed := z.appendCompressed(nil, opText, []byte(deflateMsg), false)[h.size:]
	n := len(compressed) / 3
	var wire []byte
	for i, first := range []byte{0x41, 0x00, 0x80} {
		end := min((i+1)*n, len(compressed))
		if i == 2 {
			end = len(compressed)
		}
		wire = append(wire, appendHeaderOnly(first, compressed[i*n:end])...)
	}
	buf := make([]byte, len(wire))
	out := make([]byte, 0, 2048)
	b.SetBytes(int64(len(deflateMsg)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, wire)
		var msg any
		for off := 0; off < len(buf); {
			n, err := Default.Input(buf[off:], c)
			if err != nil || n == 0 {
				b.Fatalf("Input = %d, %v", n, err)
			}
			if msg, err = Default.Decode(buf[off:off+n], c); err != nil {
				b.Fatal(err)
			}
			off += n
		}
		out, _ = Default.Encode(out[:0], msg, c)
	}
}

// BenchmarkInflate is the inflating of a 64 KiB text alone: whole, with
// compress/flate, and cut in 4 KiB pieces inflated as they come.
func BenchmarkInflate(b *testing.B) {
	var text strings.Builder
	for i := 0; text.Len() < 64<<10; i++ {
		fmt.Fprintf(&text, "line %d: the quick brown fox %d jumps over the lazy dog %d\n", i, i*i%97, i%13)
	}
	h, _ := parseHeader((&deflate{}).appendCompressed(nil, opBinary, []byte(text.String()), false))
	data := (&deflate{}).appendCompressed(nil, opBinary, []byte(text.String()), false)[h.size:]
	b.Run("whole", func(b *testing.B) {
		z := &deflate{}
		b.SetBytes(int64(text.Len()))
		b.ReportAllocs()
		for b.Loop() {
			in, err := z.inflate(data, 1<<20)
			if err != nil || len(in.out) != text.Len() {
				b.Fatal(err)
			}
			z.release(in)
		}
	})
	b.Run("stream", func(b *testing.B) {
		b.SetBytes(int64(text.Len()))
		b.ReportAllocs()
		z := &deflate{}
		for b.Loop() {
			s := getStream(nil, 1<<20)
			var err error
			for p := data; len(p) > 0 && err == nil; p = p[min(4096, len(p)):] {
				_, err = z.inflateFragment(s, p[:min(4096, len(p))], len(p) <= 4096)
			}
			if err != nil || len(s.out) != text.Len() {
				b.Fatal(err)
			}
			putStream(s)
		}
	})
}
