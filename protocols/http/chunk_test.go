package http

import "testing"

func TestChunk(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
		last bool
	}{
		{"a chunk is its hex size, CRLF, data, CRLF", "hello", "5\r\nhello\r\n", false},
		{"sizes are lower-case hex", string(make([]byte, 26)), "1a\r\n" + string(make([]byte, 26)) + "\r\n", false},
		{"the empty chunk ends the body", "", "0\r\n\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := NewChunk(tt.data)
			if got := string(ch.appendTo([]byte("x"))); got != "x"+tt.want {
				t.Errorf("appendTo: %q, want %q", got, "x"+tt.want)
			}
			if ch.last() != tt.last {
				t.Errorf("last() = %v", ch.last())
			}
		})
	}
}
