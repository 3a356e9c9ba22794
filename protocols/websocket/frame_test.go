package websocket

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFrameHeaders(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		ok   bool
		want header
	}{
		{"two bytes of a short frame are a header", []byte{0x81, 0x05}, true, header{fin: true, op: opText, length: 5, size: 2}},
		{"one byte is not yet a header", []byte{0x81}, false, header{}},
		{"a 16-bit length needs its two bytes", []byte{0x82, 126, 0x01}, false, header{}},
		{"a 16-bit length is read big-endian", []byte{0x82, 126, 0x01, 0x00}, true, header{fin: true, op: opBinary, length: 256, size: 4}},
		{"a 64-bit length is read big-endian", []byte{0x02, 127, 0, 0, 0, 0, 0, 1, 0, 0}, true, header{op: opBinary, length: 65536, size: 10}},
		{"a mask key follows the length", []byte{0x89, 0x80, 1, 2, 3, 4}, true, header{fin: true, op: opPing, masked: true, key: [4]byte{1, 2, 3, 4}, size: 6}},
		{"a partial mask key is not yet a header", []byte{0x89, 0x80, 1, 2, 3}, false, header{}},
		{"RSV bits are kept for the check", []byte{0xF1, 0x00}, true, header{fin: true, rsv: 0x70, op: opText, size: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := parseHeader(tc.in)
			if ok != tc.ok || (ok && h != tc.want) {
				t.Fatalf("parseHeader(%x) = %+v, %v; want %+v, %v", tc.in, h, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestAppendedFramesParseBack(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536} {
		for _, masked := range []bool{false, true} {
			payload := bytes.Repeat([]byte{'x'}, n)
			b := appendFrame(nil, opBinary, payload, masked)
			h, ok := parseHeader(b)
			if !ok || h.length != uint64(n) || h.masked != masked || len(b) != h.size+n {
				t.Fatalf("%d bytes, masked %v: header %+v of a %d-byte frame", n, masked, h, len(b))
			}
			if masked {
				if h.key == [4]byte{} {
					t.Fatal("a client frame has an all-zero mask key")
				}
				mask(h.key, b[h.size:])
			}
			if !bytes.Equal(b[h.size:], payload) {
				t.Fatalf("%d bytes, masked %v: payload does not come back", n, masked)
			}
		}
	}
}

func TestCloseFrames(t *testing.T) {
	t.Run("a long reason is cut on a rune boundary to fit 125 bytes", func(t *testing.T) {
		b := appendClose(nil, CloseNormal, strings.Repeat("é", 100), false)
		h, _ := parseHeader(b)
		if h.length > maxControlPayload || !utf8.Valid(b[h.size+2:]) {
			t.Fatalf("payload of %d bytes, valid UTF-8: %v", h.length, utf8.Valid(b[h.size+2:]))
		}
	})
	for _, tc := range []struct {
		name    string
		payload []byte
		code    int
		bad     int
	}{
		{"an empty payload means no status", nil, CloseNoStatus, 0},
		{"a normal close is valid", []byte{0x03, 0xE8}, 1000, 0},
		{"an application code is valid", []byte{0x0F, 0xA0, 'o', 'k'}, 4000, 0},
		{"1005 may not be sent", []byte{0x03, 0xED}, 1005, CloseProtocolError},
		{"999 is no close code", []byte{0x03, 0xE7}, 999, CloseProtocolError},
		{"a reason that is not UTF-8 is invalid data", []byte{0x03, 0xE8, 0xFF}, 1000, CloseInvalidPayload},
		{"one byte is a broken payload", []byte{0x03}, 0, CloseProtocolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, bad := parseClose(tc.payload)
			if code != tc.code || bad != tc.bad {
				t.Fatalf("parseClose(%x) = %d, bad %d; want %d, bad %d", tc.payload, code, bad, tc.code, tc.bad)
			}
		})
	}
}
