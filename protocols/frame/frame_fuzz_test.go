package frame_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/workerman-go/workerman/protocols/frame"
)

// FuzzInput checks that Input never panics and answers only what the rules
// allow: 0 before a whole header, an error for a length under 4, else exactly
// the length the header announces.
func FuzzInput(f *testing.F) {
	for _, s := range []string{"", "foo", "\x00\x00\x00*foobar", "\x00\x00\x00\x03", "\x00\x00\x00\x04", "\xff\xff\xff\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		n, err := frame.Protocol{}.Input(buf, conn{})
		if len(buf) < frame.HeaderSize {
			if n != 0 || err != nil {
				t.Fatalf("Input(%q) = %d, %v before a whole header; want 0, nil", buf, n, err)
			}
			return
		}
		announced := binary.BigEndian.Uint32(buf)
		switch {
		case announced < frame.HeaderSize:
			if err == nil {
				t.Fatalf("Input(%q) = %d for a length under the header's; want an error", buf, n)
			}
		case err != nil:
			t.Fatalf("Input(%q): unexpected error %v", buf, err)
		case uint64(n) != uint64(announced):
			t.Fatalf("Input(%q) = %d, want the announced %d", buf, n, announced)
		}
	})
}

// FuzzRoundTrip checks that a frame Encode wrote is one whole package that
// Decode turns back into the payload.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "jhdxr", "\x00\x00\x00\x00", "line\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		p := frame.Protocol{}
		wire, err := p.Encode([]byte("prefix"), payload, conn{})
		if err != nil {
			t.Fatal(err)
		}
		wire = wire[len("prefix"):]
		n, err := p.Input(wire, conn{})
		if err != nil || n != len(wire) {
			t.Fatalf("Input(Encode(%q)) = %d, %v; want %d, nil", payload, n, err, len(wire))
		}
		got, err := p.Decode(wire[:n], conn{})
		if err != nil || !bytes.Equal([]byte(got.(string)), payload) {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", payload, got, err)
		}
	})
}
