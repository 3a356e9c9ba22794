package websocket

import "unicode/utf8"

// utf8Stream checks text that arrives in pieces, so that a fragmented text
// message is refused at the fragment that makes it invalid: a rune cut
// between fragments is carried over, and a cut that no byte could complete
// (0xE0 0x80, say) is refused at once. The zero value is ready.
type utf8Stream struct {
	carry [utf8.UTFMax]byte
	n     uint8
}

// write checks the next piece of text; final says it is the last. It reports
// whether the text so far can still be, or is, valid UTF-8.
func (u *utf8Stream) write(p []byte, final bool) bool {
	if u.n > 0 {
		for u.n < utf8.UTFMax && len(p) > 0 && !utf8.FullRune(u.carry[:u.n]) {
			u.carry[u.n] = p[0]
			u.n++
			p = p[1:]
		}
		if !utf8.FullRune(u.carry[:u.n]) {
			return !final // a valid start of a rune, still incomplete
		}
		if r, size := utf8.DecodeRune(u.carry[:u.n]); r == utf8.RuneError && size <= 1 {
			return false
		}
		u.n = 0
	}
	// A rune cut at the end is held back: it starts within the last three bytes.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		return false
	}
	u.n = uint8(copy(u.carry[:], p[cut:]))
	return !final || u.n == 0
}

// reset forgets a message that ended or was dropped.
func (u *utf8Stream) reset() { u.n = 0 }
