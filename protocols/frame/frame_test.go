package frame_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/frame"
)

// conn stands in for a connection; the frame protocol asks it nothing.
type conn struct{ protocols.Conn }

// header is the 4-byte big-endian length prefix for a total length n.
func header(n uint32) string {
	return string(binary.BigEndian.AppendUint32(nil, n))
}

func TestInput(t *testing.T) {
	tests := []struct {
		name    string
		buf     string
		want    int
		wantErr bool
	}{
		{"Workerman's case: three bytes are not a header yet", "foo", 0, false},
		{"an empty buffer needs more bytes", "", 0, false},
		{"Workerman's case: the length is read from the header, not the buffer", "\x00\x00\x00*foobar", 42, false},
		{"a whole frame is its total length", header(9) + "jhdxr", 9, false},
		{"an empty frame is just its header", header(4), 4, false},
		{"a header alone announces the rest", header(1000), 1000, false},
		{"only the first of two frames counts", header(5) + "a" + header(5) + "b", 5, false},
		{"the largest length is read as is", header(1<<32 - 1), 1<<32 - 1, false},
		{"a length of 0 is an error", header(0) + "rest", 0, true},
		{"a length of 3 is shorter than the header: an error", header(3), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := frame.Protocol{}.Input([]byte(tt.buf), conn{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Input(%q) error = %v, want error: %v", tt.buf, err, tt.wantErr)
			}
			if n != tt.want {
				t.Errorf("Input(%q) = %d, want %d", tt.buf, n, tt.want)
			}
		})
	}
}

func TestInputErrorSaysWhy(t *testing.T) {
	_, err := frame.Protocol{}.Input([]byte(header(2)), conn{})
	if err == nil || !strings.Contains(err.Error(), "total length 2 is shorter than the 4-byte header") {
		t.Errorf("error %v does not say what was wrong", err)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct{ name, pkg, want string }{
		{"Workerman's case: the payload follows the header", header(9) + "jhdxr", "jhdxr"},
		{"an empty frame decodes to an empty string", header(4), ""},
		{"binary payloads pass unchanged", header(7) + "\x00\xff\n", "\x00\xff\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := frame.Protocol{}.Decode([]byte(tt.pkg), conn{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Decode(%q) = %q, want %q", tt.pkg, got, tt.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name    string
		dst     string
		v       any
		want    string
		wantErr bool
	}{
		{"Workerman's case: the header counts itself", "", "jhdxr", header(9) + "jhdxr", false},
		{"bytes are framed the same way", "", []byte("jhdxr"), header(9) + "jhdxr", false},
		{"nil is an empty frame", "", nil, header(4), false},
		{"what dst held stays in front", "ab", "c", "ab" + header(5) + "c", false},
		{"an int cannot be encoded and dst is left as it was", "ab", 42, "ab", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := frame.Protocol{}.Encode([]byte(tt.dst), tt.v, conn{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Encode(%#v) error = %v, want error: %v", tt.v, err, tt.wantErr)
			}
			if string(got) != tt.want {
				t.Errorf("Encode(%#v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}
