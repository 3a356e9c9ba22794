package websocket

import (
	"encoding/binary"
	"unicode/utf8"
)

// Close codes of RFC 6455 section 7.4.1 that a Close frame may carry.
const (
	CloseNormal          = 1000 // the purpose of the connection is fulfilled
	CloseGoingAway       = 1001 // a server going down, a page navigated away
	CloseProtocolError   = 1002 // the peer broke the protocol
	CloseUnsupportedData = 1003 // a kind of message the endpoint cannot take
	CloseNoStatus        = 1005 // reported, never sent: the Close frame had no code
	CloseInvalidPayload  = 1007 // a text message that is not UTF-8
	ClosePolicyViolation = 1008 // a message that breaks the endpoint's policy
	CloseMessageTooBig   = 1009 // a message larger than MaxPackageSize
	CloseInternalError   = 1011 // the endpoint failed to serve the connection
)

// maxCloseReason is the most bytes of reason a Close frame has room for.
const maxCloseReason = maxControlPayload - 2

// validCloseCode reports whether a peer may send code in a Close frame: the
// codes RFC 6455 and the IANA registry define for the wire, and the ranges
// left to libraries (3000-3999) and applications (4000-4999).
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// appendClose appends a Close frame with code and reason; code 0 sends an
// empty payload. The reason is cut to fit, on a rune boundary.
func appendClose(dst []byte, code int, reason string, masked bool) []byte {
	if code == 0 {
		return appendFrame(dst, opClose, "", masked)
	}
	if len(reason) > maxCloseReason {
		n := maxCloseReason
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n--
		}
		reason = reason[:n]
	}
	var p [maxControlPayload]byte
	binary.BigEndian.PutUint16(p[:], uint16(code))
	n := 2 + copy(p[2:], reason)
	return appendFrame(dst, opClose, p[:n], masked)
}

// parseClose reads a Close frame's payload. It returns the code (CloseNoStatus
// for an empty payload), the reason, and the close code to answer a payload
// that breaks the rules with (0 when it is valid).
func parseClose(p []byte) (code int, reason string, bad int) {
	switch {
	case len(p) == 0:
		return CloseNoStatus, "", 0
	case len(p) == 1:
		return 0, "", CloseProtocolError
	}
	code = int(binary.BigEndian.Uint16(p))
	if !validCloseCode(code) {
		return code, "", CloseProtocolError
	}
	if !utf8.Valid(p[2:]) {
		return code, "", CloseInvalidPayload
	}
	return code, string(p[2:]), 0
}
