package text_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/protocols/text"
)

// FuzzInput checks that Input never panics and answers only what the rules
// allow: an error at the package limit, else the length of the first line
// (newline included), else 0.
func FuzzInput(f *testing.F) {
	for _, s := range []string{"", "abc", "abc\n", "a\r\nb\n", "\n", strings.Repeat("x", 70) + "\n"} {
		f.Add([]byte(s), 64)
	}
	f.Fuzz(func(t *testing.T, buf []byte, limit int) {
		if limit <= 0 {
			limit = 1
		}
		n, err := text.Protocol{}.Input(buf, limitConn{limit: limit})
		switch {
		case len(buf) >= limit:
			if err == nil {
				t.Fatalf("Input of %d bytes under a limit of %d = %d, want an error", len(buf), limit, n)
			}
		case err != nil:
			t.Fatalf("Input(%q) under a limit of %d: unexpected error %v", buf, limit, err)
		case n != bytes.IndexByte(buf, '\n')+1:
			t.Fatalf("Input(%q) = %d, want the first line's length %d", buf, n, bytes.IndexByte(buf, '\n')+1)
		}
	})
}

// FuzzRoundTrip checks that a line Encode wrote is one whole package that
// Decode turns back into the message.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "hello", "a\rb", "ünïcode", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		if strings.ContainsRune(msg, '\n') || strings.HasSuffix(msg, "\r") {
			t.Skip("a newline ends a message and a trailing CR is trimmed: not round-trippable")
		}
		p := text.Protocol{}
		wire, err := p.Encode([]byte("prefix"), msg, roomy)
		if err != nil {
			t.Fatal(err)
		}
		wire = wire[len("prefix"):]
		n, err := p.Input(wire, roomy)
		if err != nil || n != len(wire) {
			t.Fatalf("Input(Encode(%q)) = %d, %v; want %d, nil", msg, n, err, len(wire))
		}
		got, err := p.Decode(wire[:n], roomy)
		if err != nil || got != msg {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", msg, got, err)
		}
	})
}
