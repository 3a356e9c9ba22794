package websocket

import "testing"

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

func benchEcho(b *testing.B, wire []byte) {
	c := openConn(1<<20, false)
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
