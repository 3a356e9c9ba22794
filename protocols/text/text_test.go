package text_test

import (
	"strings"
	"testing"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/text"
)

// limitConn is a connection with a package limit; the text protocol asks it
// nothing else.
type limitConn struct {
	protocols.Conn
	limit int
}

func (c limitConn) PackageLimit() int { return c.limit }

var roomy = limitConn{limit: 1 << 20}

func TestInput(t *testing.T) {
	tests := []struct {
		name    string
		buf     string
		limit   int
		want    int
		wantErr bool
	}{
		{"a buffer without a newline needs more bytes", "abc", 1 << 20, 0, false},
		{"an empty buffer needs more bytes", "", 1 << 20, 0, false},
		{"a line counts its newline", "abc\n", 1 << 20, 4, false},
		{"Workerman's case: jhdxr and a newline is six bytes", "jhdxr\n", 1 << 20, 6, false},
		{"a CRLF line counts both bytes", "abc\r\n", 1 << 20, 5, false},
		{"only the first of two lines counts", "a\nbc\n", 1 << 20, 2, false},
		{"an empty line is one byte", "\nrest", 1 << 20, 1, false},
		{"a buffer at the package limit is an error", "abcdefgh", 5, 0, true},
		{"a buffer at the limit is an error even with a newline", "ab\ncd", 5, 0, true},
		{"a buffer one byte under the limit is read", "ab\nc", 5, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := text.Protocol{}.Input([]byte(tt.buf), limitConn{limit: tt.limit})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Input(%q) error = %v, want error: %v", tt.buf, err, tt.wantErr)
			}
			if n != tt.want {
				t.Errorf("Input(%q) = %d, want %d", tt.buf, n, tt.want)
			}
		})
	}
}

func TestInputErrorNamesTheLimit(t *testing.T) {
	_, err := text.Protocol{}.Input([]byte("abcdefgh"), limitConn{limit: 5})
	if err == nil || !strings.Contains(err.Error(), "limit of 5") {
		t.Errorf("error %v does not name the limit", err)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct{ name, pkg, want string }{
		{"the newline is trimmed", "jhdxr\n", "jhdxr"},
		{"CRLF is trimmed", "jhdxr\r\n", "jhdxr"},
		{"every trailing CR and LF is trimmed", "a\r\r\n", "a"},
		{"a CR inside the line stays", "a\rb\n", "a\rb"},
		{"an empty line decodes to an empty string", "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := text.Protocol{}.Decode([]byte(tt.pkg), roomy)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Decode(%q) = %q, want %q", tt.pkg, got, tt.want)
			}
		})
	}
}

type stringer struct{}

func (stringer) String() string { return "from String" }

func TestEncode(t *testing.T) {
	tests := []struct {
		name    string
		dst     string
		v       any
		want    string
		wantErr bool
	}{
		{"a string gets a newline", "", "jhdxr", "jhdxr\n", false},
		{"bytes get a newline", "", []byte("jhdxr"), "jhdxr\n", false},
		{"a Stringer is sent as its String", "", stringer{}, "from String\n", false},
		{"nil is an empty line", "", nil, "\n", false},
		{"what dst held stays in front", "a\n", "b", "a\nb\n", false},
		{"an int cannot be encoded", "", 42, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := text.Protocol{}.Encode([]byte(tt.dst), tt.v, roomy)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Encode(%#v) error = %v, want error: %v", tt.v, err, tt.wantErr)
			}
			if !tt.wantErr && string(got) != tt.want {
				t.Errorf("Encode(%#v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}
