package protocols_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/frame"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/text"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

// lineProto is a protocol without a Name method.
type lineProto struct{ tag string }

func (lineProto) Input(buf []byte, _ protocols.Conn) (int, error) {
	return strings.IndexByte(string(buf), '\n') + 1, nil
}
func (lineProto) Decode(pkg []byte, _ protocols.Conn) (any, error) { return string(pkg), nil }
func (lineProto) Encode(dst []byte, v any, _ protocols.Conn) ([]byte, error) {
	return protocols.AppendBytes(dst, v)
}

// namedProto names itself.
type namedProto struct{ lineProto }

func (namedProto) Name() string { return "Named" }

func TestBuiltInProtocolsRegisterThemselves(t *testing.T) {
	for _, tt := range []struct {
		scheme, name string
		is           func(protocols.Protocol) bool
	}{
		{"text", "Text", func(p protocols.Protocol) bool { _, ok := p.(text.Protocol); return ok }},
		{"frame", "Frame", func(p protocols.Protocol) bool { _, ok := p.(frame.Protocol); return ok }},
		{"http", "Http", func(p protocols.Protocol) bool { _, ok := p.(*http.Protocol); return ok }},
		{"websocket", "Websocket", func(p protocols.Protocol) bool { _, ok := p.(*websocket.Protocol); return ok }},
	} {
		t.Run(tt.scheme, func(t *testing.T) {
			p, ok := protocols.Lookup(tt.scheme)
			if !ok {
				t.Fatalf("importing the package did not register %q", tt.scheme)
			}
			if !tt.is(p) {
				t.Errorf("%q is %T", tt.scheme, p)
			}
			if got := protocols.Name(p); got != tt.name {
				t.Errorf("Name = %q, want %q", got, tt.name)
			}
		})
	}
}

func TestRegister(t *testing.T) {
	tests := []struct {
		name    string
		scheme  string
		p       protocols.Protocol
		wantErr string
	}{
		{"a lower-case name is accepted", "myproto", lineProto{}, ""},
		{"letters and digits after a letter are accepted", "Proto2x", lineProto{}, ""},
		{"a single letter is accepted", "p", lineProto{}, ""},
		{"an empty scheme is refused", "", lineProto{}, `invalid protocol scheme ""`},
		{"a leading digit is refused", "2proto", lineProto{}, "invalid protocol scheme"},
		{"a dash is refused", "my-proto", lineProto{}, "invalid protocol scheme"},
		{"an underscore is refused", "my_proto", lineProto{}, "invalid protocol scheme"},
		{"a path is refused", "../proto", lineProto{}, "invalid protocol scheme"},
		{"a space is refused", "my proto", lineProto{}, "invalid protocol scheme"},
		{"a scheme with its separator is refused", "myproto://", lineProto{}, "invalid protocol scheme"},
		{"a nil protocol is refused", "nilproto", nil, `nil protocol for scheme "nilproto"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := protocols.Register(tt.scheme, tt.p)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Register(%q) = %v, want nil", tt.scheme, err)
				}
				if got, ok := protocols.Lookup(tt.scheme); !ok || got != tt.p {
					t.Errorf("Lookup(%q) = %v, %v after Register", tt.scheme, got, ok)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Register(%q) = %v, want an error containing %q", tt.scheme, err, tt.wantErr)
			}
			if _, ok := protocols.Lookup(tt.scheme); ok {
				t.Errorf("Lookup(%q) finds a protocol whose registration failed", tt.scheme)
			}
		})
	}
}

func TestRegisterAgainReplaces(t *testing.T) {
	first, second := lineProto{"first"}, lineProto{"second"}
	for _, p := range []lineProto{first, second} {
		if err := protocols.Register("replaced", p); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := protocols.Lookup("replaced"); got != second {
		t.Errorf("Lookup after a second Register = %v, want %v", got, second)
	}
}

func TestLookup(t *testing.T) {
	if err := protocols.Register("lookedup", lineProto{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		scheme string
		want   bool
	}{
		{"a registered scheme is found", "lookedup", true},
		{"an unknown scheme is not", "neverregistered", false},
		{"schemes are case-sensitive", "LookedUp", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := protocols.Lookup(tt.scheme); ok != tt.want {
				t.Errorf("Lookup(%q) found = %v, want %v", tt.scheme, ok, tt.want)
			}
		})
	}
}

func TestSchemesAreSortedAndComplete(t *testing.T) {
	for _, s := range []string{"zzlast", "aafirst"} {
		if err := protocols.Register(s, lineProto{}); err != nil {
			t.Fatal(err)
		}
	}
	got := protocols.Schemes()
	if !slices.IsSorted(got) {
		t.Errorf("Schemes() = %v, not sorted", got)
	}
	for _, s := range []string{"zzlast", "aafirst"} {
		if !slices.Contains(got, s) {
			t.Errorf("Schemes() = %v, lacks %q", got, s)
		}
	}
}

func TestName(t *testing.T) {
	registered := lineProto{"registered under a scheme"}
	if err := protocols.Register("byscheme", registered); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    protocols.Protocol
		want string
	}{
		{"a protocol with a Name method is called by it", namedProto{}, "Named"},
		{"a registered protocol without one is called by its scheme", registered, "byscheme"},
		{"an unregistered protocol is called by its type", lineProto{"unregistered"}, "protocols_test.lineProto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := protocols.Name(tt.p); got != tt.want {
				t.Errorf("Name = %q, want %q", got, tt.want)
			}
		})
	}
}

type stringer struct{}

func (stringer) String() string { return "stringer" }

func TestAppendBytes(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    string
		wantErr string
	}{
		{"a string is appended", "abc", "pre:abc", ""},
		{"bytes are appended", []byte("abc"), "pre:abc", ""},
		{"a Stringer is appended as its String", stringer{}, "pre:stringer", ""},
		{"nil appends nothing", nil, "pre:", ""},
		{"an int is refused by type", 42, "pre:", "cannot encode int"},
		{"a map is refused by type", map[string]int{}, "pre:", "cannot encode map[string]int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := protocols.AppendBytes([]byte("pre:"), tt.v)
			if string(got) != tt.want {
				t.Errorf("AppendBytes = %q, want %q", got, tt.want)
			}
			if tt.wantErr == "" && err != nil {
				t.Errorf("AppendBytes error = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("AppendBytes error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestAppendBytesDoesNotAllocateIntoRoom(t *testing.T) {
	dst := make([]byte, 0, 64)
	var v any = "hello"
	allocs := testing.AllocsPerRun(100, func() {
		dst, _ = protocols.AppendBytes(dst[:0], v)
	})
	if allocs != 0 {
		t.Errorf("AppendBytes into a buffer with room allocates %.0f times, want 0", allocs)
	}
}

func TestAWorkerOnAnUnknownSchemeFailsWithErrUnknownScheme(t *testing.T) {
	w := worker.New("neverregistered://127.0.0.1:0")
	err := w.Bind()
	if !errors.Is(err, protocols.ErrUnknownScheme) {
		t.Fatalf("Bind = %v, want ErrUnknownScheme", err)
	}
	if !strings.Contains(err.Error(), `"neverregistered"`) {
		t.Errorf("error %q does not name the scheme", err)
	}
}
